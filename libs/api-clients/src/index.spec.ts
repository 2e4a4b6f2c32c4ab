import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ok, serviceClient, ServiceCallError } from './index';

/** A stand-in HTTP server for the client's own behaviour (token, problem handling); no service logic. */
let server: Server;
let baseUrl = '';
const seen: IncomingMessage[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    if (req.url?.startsWith('/health/live')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/problem+json' }).end(
      JSON.stringify({
        status: 404,
        title: 'Not Found',
        code: 'REGISTRATION_NOT_FOUND',
        detail: 'no such id',
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('serviceClient', () => {
  it('sends the bearer token, read per request when given as a function', async () => {
    let current = 'first';
    const client = serviceClient('registration', baseUrl, { token: () => current });
    await ok(client.GET('/health/live'));
    current = 'second';
    await ok(client.GET('/health/live'));
    expect(seen.slice(-2).map((r) => r.headers.authorization)).toEqual(['Bearer first', 'Bearer second']);
  });

  it('ok() returns the body of a success and throws the problem of a failure with its status and code', async () => {
    const client = serviceClient('registration', baseUrl, { token: 't' });
    await expect(ok(client.GET('/health/live'))).resolves.toEqual({ status: 'ok' });
    const failure = ok(
      client.GET('/registrations/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } }),
      'read registration',
    );
    await expect(failure).rejects.toBeInstanceOf(ServiceCallError);
    await expect(failure).rejects.toMatchObject({
      status: 404,
      problem: { code: 'REGISTRATION_NOT_FOUND' },
      message: 'read registration: HTTP 404 REGISTRATION_NOT_FOUND (no such id)',
    });
  });
});
