import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { DomainError, registerErrorStatuses } from '@divit/service-kit';

/** The header that carries SIMULATOR_TOKEN on calls to /simulators/*. */
export const SIMULATOR_TOKEN_HEADER = 'x-simulator-token';
/** The query parameter of a simulated MijnOverheid page URL: the capability for that one session. */
export const SIMULATOR_ACCESS_PARAM = 'access';

export type SimulatorAccessErrorCode = 'SIMULATOR_TOKEN_INVALID';
registerErrorStatuses({ SIMULATOR_TOKEN_INVALID: 401 } satisfies Record<SimulatorAccessErrorCode, number>);
class SimulatorAccessError extends DomainError<SimulatorAccessErrorCode> {}

/**
 * Who may use the SIMULATOR endpoints (mounted only with SIMULATOR_ENDPOINTS_ENABLED=true): a caller with
 * SIMULATOR_TOKEN in the `x-simulator-token` header (tests, the demo, scripts), or — for one DvMG session's
 * pages only — the person holding that session's redirect URL, which carries
 * `access=HMAC-SHA256(SIMULATOR_TOKEN, session id)`. That mirrors MijnOverheid: whoever has the redirect
 * URL can log in for that session, and no other. Comparisons are constant-time.
 */
export class SimulatorAccess {
  private readonly tokenDigest: Buffer;

  constructor(private readonly token: string) {
    this.tokenDigest = digest(token);
  }

  /** The per-session capability put into the simulated MijnOverheid redirect URL. */
  capability(sessionId: string): string {
    return createHmac('sha256', this.token).update(`dvmg-session:${sessionId}`).digest('base64url');
  }

  redirectQuery(sessionId: string): string {
    return `?${SIMULATOR_ACCESS_PARAM}=${this.capability(sessionId)}`;
  }

  allows(request: {
    headers: Record<string, string | string[] | undefined>;
    params?: Record<string, string | undefined>;
    query?: Record<string, unknown>;
  }): boolean {
    const header = request.headers[SIMULATOR_TOKEN_HEADER];
    if (typeof header === 'string' && timingSafeEqual(digest(header), this.tokenDigest)) return true;
    const sessionId = request.params?.id;
    const access = request.query?.[SIMULATOR_ACCESS_PARAM];
    if (typeof sessionId === 'string' && typeof access === 'string')
      return timingSafeEqual(digest(access), digest(this.capability(sessionId)));
    return false;
  }
}

/** Fixed-length digests, so timingSafeEqual never leaks the length of the expected value. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Refuses a /simulators/* request without the simulator token (or the session's capability): 401. */
@Injectable()
export class SimulatorTokenGuard implements CanActivate {
  constructor(@Inject(SimulatorAccess) private readonly access: SimulatorAccess) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Parameters<SimulatorAccess['allows']>[0]>();
    if (this.access.allows(request)) return true;
    throw new SimulatorAccessError(
      'SIMULATOR_TOKEN_INVALID',
      `The simulator endpoints need the ${SIMULATOR_TOKEN_HEADER} header (SIMULATOR_TOKEN).`,
    );
  }
}
