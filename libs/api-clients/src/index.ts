/**
 * Typed HTTP clients for the six services, for callers outside them: allocators' and finance systems'
 * integrators, the demonstration, the fault tier and the tests. The types are generated from the services'
 * OpenAPI documents (docs/openapi/*.json → src/generated/*.ts, `npm run openapi:clients`); openapi-fetch
 * checks every call's path, parameters, body and response against them at compile time.
 *
 * Services never use these clients: they talk to each other through Kafka only (the lint boundaries say so).
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths as BillingReconciliationPaths } from './generated/billing-reconciliation';
import type { paths as ConsentPaths } from './generated/consent';
import type { paths as IdentityValidationPaths } from './generated/identity-validation';
import type { paths as IncomeRetrievalPaths } from './generated/income-retrieval';
import type { paths as RegistrationPaths } from './generated/registration';
import type { paths as RetentionCleanupPaths } from './generated/retention-cleanup';

export interface ServicePaths {
  registration: RegistrationPaths;
  consent: ConsentPaths;
  'identity-validation': IdentityValidationPaths;
  'income-retrieval': IncomeRetrievalPaths;
  'billing-reconciliation': BillingReconciliationPaths;
  'retention-cleanup': RetentionCleanupPaths;
}
export type ServiceName = keyof ServicePaths;
export type ServiceClient<S extends ServiceName> = Client<ServicePaths[S]>;

export interface ClientOptions {
  /** A bearer token, or a function giving the current one (called per request). */
  token?: string | (() => string);
  /** Headers sent with every request (e.g. a correlation id). */
  headers?: Record<string, string>;
  /** Another fetch (e.g. one with a timeout or a proxy); the global fetch by default. */
  fetch?: typeof fetch;
}

/** A client for one service at `baseUrl` (e.g. http://127.0.0.1:3001). */
export function serviceClient<S extends ServiceName>(
  _service: S,
  baseUrl: string,
  options: ClientOptions = {},
): ServiceClient<S> {
  const client = createClient<ServicePaths[S]>({
    baseUrl,
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const { token } = options;
  if (token !== undefined) {
    const bearer: Middleware = {
      onRequest({ request }) {
        request.headers.set('authorization', `Bearer ${typeof token === 'function' ? token() : token}`);
        return request;
      },
    };
    client.use(bearer);
  }
  return client;
}

/** An RFC 9457 problem, as every service answers an error (application/problem+json). */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  [extension: string]: unknown;
}

/** Thrown by `ok()` when a call did not succeed: the status and the service's problem. */
export class ServiceCallError extends Error {
  constructor(
    readonly status: number,
    readonly problem: unknown,
    what: string,
  ) {
    const p = (problem ?? {}) as Problem;
    super(`${what}: HTTP ${status}${p.code ? ` ${p.code}` : ''}${p.detail ? ` (${p.detail})` : ''}`);
  }
}

/**
 * The body of a successful call, or a ServiceCallError with the problem. `await ok(client.GET(...), 'what')`
 * keeps the response type openapi-fetch derived from the document.
 */
export async function ok<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
  what = 'request',
): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || error !== undefined) throw new ServiceCallError(response.status, error, what);
  return data as T;
}
