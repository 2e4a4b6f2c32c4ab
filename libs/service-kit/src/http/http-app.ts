import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { INestApplication } from '@nestjs/common';
import { createLogger } from '@divit/observability';
import { bearerToken, JWT_VERIFIER } from '../auth/auth.guard';
import type { JwtVerifier } from '../auth/jwt';
import type { ProblemDocument } from '../problem-details.filter';
import { controlCharacterProblems, TextProblem } from './control-characters';
import { RateLimitSettings, TokenBucketLimiter } from './rate-limiter';
import { httpMetrics } from './http-metrics';

/** A route that accepts a larger body than the platform default (file uploads). */
export interface UploadRoute {
  method: 'POST' | 'PUT';
  /** The exact request path, e.g. `/invoices`. */
  path: string;
  limitBytes: number;
}

/** How the shared HTTP stack is configured (see {@link configureHttpApp}). */
export interface HttpAppSettings {
  /** Largest request body of any route not listed in `uploadRoutes` (larger: 413). */
  bodyLimitBytes: number;
  uploadRoutes: readonly UploadRoute[];
  rateLimit: RateLimitSettings;
  /** Proxies whose X-Forwarded-For is trusted for the client address (0 = use the socket address). */
  trustProxyHops: number;
}

/** The platform config keys the HTTP stack reads (platformConfigShape in @divit/config). */
export interface HttpConfigKeys {
  HTTP_BODY_LIMIT_BYTES: number;
  HTTP_TRUST_PROXY_HOPS: number;
  RATE_LIMIT_ENABLED: boolean;
  RATE_LIMIT_PER_MINUTE: number;
  RATE_LIMIT_BURST: number;
}

export function httpSettingsFrom(
  config: HttpConfigKeys,
  uploadRoutes: readonly UploadRoute[] = [],
): HttpAppSettings {
  return {
    bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES,
    uploadRoutes,
    trustProxyHops: config.HTTP_TRUST_PROXY_HOPS,
    rateLimit: {
      enabled: config.RATE_LIMIT_ENABLED,
      perMinute: config.RATE_LIMIT_PER_MINUTE,
      burst: config.RATE_LIMIT_BURST,
    },
  };
}

/**
 * Options every Nest app of the platform is created with: Nest's own body parsers are off, because
 * {@link configureHttpApp} installs parsers with the platform's limits and problem+json errors.
 */
export const HTTP_APP_OPTIONS = { bodyParser: false } as const;

/** Paths that are never rate limited (probes must always get through). */
const EXEMPT_PREFIX = '/health/';

type Request = IncomingMessage & {
  path?: string;
  originalUrl?: string;
  ip?: string;
  body?: unknown;
  query?: unknown;
};
type Response = ServerResponse;
type Next = (error?: unknown) => void;
type Handler = (req: Request, res: Response, next: Next) => void;
interface BodyParsers {
  json(options: { limit: number; strict?: boolean }): Handler;
  urlencoded(options: { limit: number; extended: boolean }): Handler;
}
interface ExpressInstance {
  disable(setting: string): void;
  set(setting: string, value: unknown): void;
}

// The express Nest's adapter runs on (the same copy, so the parsers behave exactly as Nest's would).
const express = createRequire(require.resolve('@nestjs/platform-express'))('express') as BodyParsers;

/**
 * The platform's HTTP stack, installed on a Nest (express) app before it is initialised; the services'
 * bootstrap and the integration-test harness both use it, so tests exercise the production stack.
 *
 * In order, for every request: security headers (no `x-powered-by`, `nosniff`, `Cache-Control: no-store`,
 * no referrer, no framing); a per-client token-bucket rate limit (429 + Retry-After; /health/* exempt);
 * a body size limit (413, checked on Content-Length before reading and while parsing); JSON and form
 * parsing whose errors are problem documents that never echo the body (400/413/415); and a text check that
 * refuses control characters in any body string or query parameter (400 naming the field).
 */
export function configureHttpApp(app: INestApplication, settings: HttpAppSettings): void {
  const instance = app.getHttpAdapter().getInstance() as ExpressInstance;
  instance.disable('x-powered-by');
  if (settings.trustProxyHops > 0) instance.set('trust proxy', settings.trustProxyHops);

  app.use(httpMetrics());
  app.use(securityHeaders);
  if (settings.rateLimit.enabled) app.use(rateLimit(settings.rateLimit, verifierOf(app)));
  const limitFor = (req: Request): number =>
    settings.uploadRoutes.find((r) => r.method === req.method && r.path === pathOf(req))?.limitBytes ??
    settings.bodyLimitBytes;
  app.use(declaredLengthGuard(limitFor));
  app.use(bodyParsers(settings));
  app.use(bodyErrors);
  app.use(streamedBodyLimit(limitFor));
  app.use(textGuard);
}

/** A streamed (unparsed) request body went over its route's limit while a handler was reading it. */
export class PayloadTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`request body larger than ${limitBytes} bytes`);
    this.name = 'PayloadTooLargeError';
  }
}

function securityHeaders(_req: Request, res: Response, next: Next): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // API answers hold personal data (income statements): never kept by a browser or an intermediary.
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
  next();
}

function verifierOf(app: INestApplication): JwtVerifier | undefined {
  try {
    return app.get<JwtVerifier>(JWT_VERIFIER, { strict: false });
  } catch {
    return undefined;
  }
}

/**
 * Buckets are per authenticated subject (a verified bearer token: organisation and subject), otherwise
 * per client address; an unverifiable token counts against the address, so forged tokens cannot mint
 * fresh buckets.
 */
function rateLimit(settings: RateLimitSettings, verifier: JwtVerifier | undefined): Handler {
  const limiter = new TokenBucketLimiter(settings);
  const logger = createLogger('RateLimit');
  return (req, res, next) => {
    if (pathOf(req).startsWith(EXEMPT_PREFIX)) return next();
    void subjectKey(req, verifier).then((subject) => {
      const key = subject ?? `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
      const decision = limiter.take(key);
      if (decision.allowed) return next();
      logger.warn('request rate limited', { kind: key.slice(0, key.indexOf(':')), path: pathOf(req) });
      res.setHeader('Retry-After', String(decision.retryAfterSeconds));
      sendProblem(req, res, {
        type: 'urn:divit:problem:rate-limited',
        title: 'Too many requests',
        status: 429,
        code: 'RATE_LIMITED',
        detail: `Too many requests from this client; retry after ${decision.retryAfterSeconds} s.`,
      });
    });
  };
}

/** The verified caller's bucket key; the verdict is kept on the request, so the guard does not verify again. */
async function subjectKey(req: Request, verifier: JwtVerifier | undefined): Promise<string | undefined> {
  const token = bearerToken(req.headers.authorization);
  if (!verifier || !token) return undefined;
  try {
    const principal = await verifier.verifyOnce(req, token);
    return `sub:${principal.organisationId}/${principal.subject}`;
  } catch {
    return undefined;
  }
}

/** Refuses a body whose declared length is over the route's limit before reading any of it. */
function declaredLengthGuard(limitFor: (req: Request) => number): Handler {
  return (req, res, next) => {
    const declared = Number(req.headers['content-length']);
    const limit = limitFor(req);
    if (!Number.isFinite(declared) || declared <= limit) return next();
    // The body is not read: close the connection rather than drain it.
    res.setHeader('Connection', 'close');
    sendProblem(req, res, tooLarge(limit));
  };
}

/**
 * Bodies no parser read (CSV and other raw uploads) reach the handler as the request stream. When such a
 * body has no Content-Length (chunked), the bytes are counted as they arrive: past the route's limit the
 * rest is dropped and the stream fails with {@link PayloadTooLargeError}, which the problem-details
 * filter answers with 413. The connection stays usable for the answer.
 */
function streamedBodyLimit(limitFor: (req: Request) => number): Handler {
  return (req, _res, next) => {
    if (req.body !== undefined || req.headers['transfer-encoding'] === undefined) return next();
    const limit = limitFor(req);
    const push = req.push.bind(req);
    let received = req.readableLength;
    let exceeded = false;
    req.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
      if (chunk === null || chunk === undefined) return push(chunk, encoding);
      if (exceeded) return true;
      received += (chunk as Buffer).length;
      if (received <= limit) return push(chunk, encoding);
      exceeded = true;
      req.emit('error', new PayloadTooLargeError(limit));
      return true;
    };
    next();
  };
}

/** JSON and form parsers with the default limit, and with their own limit on upload routes. */
function bodyParsers(settings: HttpAppSettings): Handler {
  const make = (limit: number) => ({
    json: express.json({ limit }),
    form: express.urlencoded({ limit, extended: true }),
  });
  const standard = make(settings.bodyLimitBytes);
  const uploads = settings.uploadRoutes.map((route) => ({ route, parsers: make(route.limitBytes) }));
  return (req, res, next) => {
    const path = pathOf(req);
    const parsers =
      uploads.find((u) => u.route.method === req.method && u.route.path === path)?.parsers ?? standard;
    parsers.json(req, res, (error?: unknown) => {
      if (error) return next(error);
      parsers.form(req, res, next);
    });
  };
}

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/** Body-parser errors as problem documents. The parser's message is never used: it quotes the body. */
function bodyErrors(error: unknown, req: Request, res: Response, next: Next): void {
  const e = (error ?? {}) as BodyParserError;
  switch (e.type) {
    case 'entity.too.large':
      res.setHeader('Connection', 'close');
      return sendProblem(req, res, tooLarge(e.limit));
    case 'entity.parse.failed':
      return sendProblem(req, res, {
        type: 'urn:divit:problem:malformed-body',
        title: 'The request body is not valid JSON',
        status: 400,
        code: 'MALFORMED_BODY',
        detail: 'The request body could not be parsed as JSON.',
      });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return sendProblem(req, res, {
        type: 'urn:divit:problem:unsupported-encoding',
        title: 'Unsupported Media Type',
        status: 415,
        code: 'UNSUPPORTED_ENCODING',
        detail: 'The request body encoding or charset is not supported; send UTF-8.',
      });
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'stream.not.readable':
    case 'parameters.too.many':
      return sendProblem(req, res, {
        type: 'urn:divit:problem:malformed-body',
        title: 'The request body could not be read',
        status: 400,
        code: 'MALFORMED_BODY',
        detail: 'The request body could not be read.',
      });
    default:
      return next(error);
  }
}

/** Control characters in any body string or query parameter: 400 naming each field. */
function textGuard(req: Request, res: Response, next: Next): void {
  const problems: TextProblem[] = [];
  if (req.body !== undefined) problems.push(...controlCharacterProblems(req.body, 'body'));
  const query = queryOf(req);
  if (query) problems.push(...controlCharacterProblems(query, 'query', 'query'));
  if (problems.length === 0) return next();
  sendProblem(req, res, {
    type: 'urn:divit:problem:validation',
    title: 'The request is invalid',
    status: 400,
    code: 'VALIDATION_FAILED',
    detail: `${problems.length} field(s) are invalid: ${problems.map((p) => p.field).join(', ')}`,
    errors: problems,
  });
}

function queryOf(req: Request): unknown {
  try {
    return req.query;
  } catch {
    return undefined;
  }
}

function tooLarge(limit: number | undefined): ProblemDocument {
  return {
    type: 'urn:divit:problem:payload-too-large',
    title: 'Payload Too Large',
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    detail:
      limit === undefined
        ? 'The request body is larger than this route accepts.'
        : `The request body is larger than this route accepts (${limit} bytes).`,
  };
}

function pathOf(req: Request): string {
  return req.path ?? (req.originalUrl ?? req.url ?? '').split('?')[0] ?? '';
}

/** Writes a problem document (the same shape ProblemDetailsFilter writes). */
export function sendProblem(req: Request, res: Response, problem: ProblemDocument): void {
  const body = JSON.stringify({ ...problem, instance: pathOf(req) });
  res.statusCode = problem.status;
  res.setHeader('content-type', 'application/problem+json');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}
