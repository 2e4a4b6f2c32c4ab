import * as https from 'node:https';

export interface MutualTlsSettings {
  baseUrl: string;
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
  timeoutMs: number;
}

/**
 * A small JSON-over-HTTPS client with mutual TLS (client certificate + pinned CA), for the real
 * government adapters. Errors carry the status only, never the request or response body.
 */
export class MutualTlsJsonClient {
  private readonly agent: https.Agent;

  constructor(private readonly settings: MutualTlsSettings) {
    this.agent = new https.Agent({
      cert: settings.cert,
      key: settings.key,
      ca: settings.ca,
      keepAlive: true,
    });
  }

  post(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
    const url = new URL(path, this.settings.baseUrl);
    const payload = Buffer.from(JSON.stringify(body), 'utf8');
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          timeout: this.settings.timeoutMs,
          headers: { 'content-type': 'application/json', 'content-length': payload.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown = null;
            try {
              json = text ? JSON.parse(text) : null;
            } catch {
              json = null;
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timeout after ${this.settings.timeoutMs} ms`)));
      req.on('error', (e) => reject(new Error(`request to ${url.host} failed: ${e.message}`)));
      req.end(payload);
    });
  }
}
