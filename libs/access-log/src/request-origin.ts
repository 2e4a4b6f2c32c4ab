import { AsyncLocalStorage } from 'node:async_hooks';

/** Where a request came from: the client address Express derived (honouring `trust proxy`) and its user agent. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

const storage = new AsyncLocalStorage<RequestOrigin>();

/** Express middleware: every later step of the request (guards, handlers, services) sees its origin. */
export function requestOriginMiddleware(
  req: { ip?: string; headers: Record<string, string | string[] | undefined> },
  _res: unknown,
  next: () => void,
): void {
  const ua = req.headers['user-agent'];
  storage.run({ ip: req.ip ?? null, userAgent: typeof ua === 'string' ? ua : null }, next);
}

/** The current request's origin, or none outside a request (consumers, periodic jobs, CLIs). */
export function currentRequestOrigin(): RequestOrigin {
  return storage.getStore() ?? { ip: null, userAgent: null };
}
