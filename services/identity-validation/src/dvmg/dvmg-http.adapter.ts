import { z } from 'zod';
import { MutualTlsJsonClient } from '../common/mtls-client';
import { DvmgPort, StartSharingRequest } from './dvmg.port';

const startAnswer = z.object({ redirectUrl: z.url() });

export class DvmgUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DvmgUnavailableError';
  }
}

/**
 * Adapter to the real MijnOverheid "Delen van MijnGegevens" over mutual TLS. Logius' interface is not
 * public to this project; **[assumption]**: `POST {DVMG_BASE_URL}/sharing-sessions` with
 * `{sessionId, kind, expiresAt, returnUrl}` answers `{redirectUrl}` (HTTP 201), and MijnOverheid later
 * delivers the signed dataset to this service's `POST /dvmg/deliveries`. It never works without
 * DVMG_BASE_URL, the TLS files and MijnOverheid's public key configured (config validation refuses to start).
 */
export class DvmgHttpAdapter extends DvmgPort {
  readonly label = 'DvMG (real, mutual TLS)';

  constructor(private readonly client: MutualTlsJsonClient) {
    super();
  }

  async startSharing(request: StartSharingRequest): Promise<{ redirectUrl: string }> {
    let response: { status: number; json: unknown };
    try {
      response = await this.client.post('sharing-sessions', {
        sessionId: request.sessionId,
        kind: request.kind,
        expiresAt: request.expiresAt.toISOString(),
        returnUrl: request.returnUrl,
      });
    } catch (error) {
      throw new DvmgUnavailableError(`DvMG unreachable: ${error instanceof Error ? error.message : 'error'}`);
    }
    if (response.status !== 201 && response.status !== 200)
      throw new DvmgUnavailableError(`DvMG answered HTTP ${response.status}`);
    const parsed = startAnswer.safeParse(response.json);
    if (!parsed.success) throw new DvmgUnavailableError('DvMG answer has an unexpected shape');
    return parsed.data;
  }
}
