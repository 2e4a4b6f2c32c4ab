import { Body, Controller, Get, INestApplication, Module, Post, Query, Req } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { z } from 'zod';
import { Public } from '../auth/auth.decorators';
import { AuthModule } from '../auth/auth.module';
import { LocalTokenIssuer } from '../auth/local-token-issuer';
import { ProblemDetailsFilter } from '../problem-details.filter';
import { ZodValidationPipe } from '../zod-validation.pipe';
import { configureHttpApp, HTTP_APP_OPTIONS, HttpAppSettings } from './http-app';

const ORG_1 = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';

const note = z.strictObject({ text: z.string().max(1_000_000) });

@Public()
@Controller()
class ProbeController {
  @Post('notes')
  create(@Body(new ZodValidationPipe(note)) body: z.infer<typeof note>): { length: number } {
    return { length: body.text.length };
  }

  @Post('uploads')
  upload(@Req() req: { body?: unknown }): { received: boolean } {
    return { received: req.body !== undefined };
  }

  /** Reads the raw request stream, as the CSV import handlers do. */
  @Post('stream')
  async stream(@Req() req: AsyncIterable<Buffer>): Promise<{ bytes: number }> {
    let bytes = 0;
    for await (const chunk of req) bytes += chunk.length;
    return { bytes };
  }

  @Get('search')
  search(@Query() query: Record<string, unknown>): { keys: string[] } {
    return { keys: Object.keys(query) };
  }

  @Get('busy')
  busy(): never {
    // What pg-pool throws when no connection frees up within connectionTimeoutMillis.
    throw new Error('timeout exceeded when trying to connect');
  }

  @Get('health/live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

const issuer = new LocalTokenIssuer();

@Module({
  imports: [
    AuthModule.forRoot({ jwks: JSON.stringify(issuer.jwks), issuer: 'divit-local', audience: 'divit' }),
  ],
  controllers: [ProbeController],
  providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
})
class ProbeModule {}

async function start(
  overrides: Partial<HttpAppSettings> = {},
): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create(ProbeModule, { logger: false, ...HTTP_APP_OPTIONS });
  configureHttpApp(app, {
    bodyLimitBytes: 10_000,
    uploadRoutes: [{ method: 'POST', path: '/uploads', limitBytes: 50_000 }],
    rateLimit: { enabled: false, perMinute: 60, burst: 5 },
    trustProxyHops: 0,
    ...overrides,
  });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

async function post(url: string, body: string, type = 'application/json') {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text(), res };
}

describe('configureHttpApp', () => {
  let app: INestApplication;
  let url: string;
  beforeAll(async () => ({ app, url } = await start()));
  afterAll(async () => app.close());

  it('answers 413 problem+json for a JSON body over the limit, and accepts one under it', async () => {
    const big = await post(`${url}/notes`, JSON.stringify({ text: 'x'.repeat(20_000) }));
    expect(big.status).toBe(413);
    expect(big.type).toContain('application/problem+json');
    expect(JSON.parse(big.text)).toMatchObject({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      instance: '/notes',
    });
    const small = await post(`${url}/notes`, JSON.stringify({ text: 'x'.repeat(5_000) }));
    expect(small.status).toBe(201);
  });

  it('answers 413 on the declared length of a body it does not parse (e.g. CSV), before reading it', async () => {
    const csv = await post(`${url}/notes`, 'a,b\n'.repeat(5_000), 'text/csv');
    expect(csv.status).toBe(413);
    expect(JSON.parse(csv.text)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('counts a chunked raw body (no Content-Length) as a handler reads it, and answers 413 past the limit', async () => {
    const chunked = (size: number) =>
      fetch(`${url}/stream`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: new ReadableStream({
          start(controller) {
            for (let sent = 0; sent < size; sent += 1000) controller.enqueue(new Uint8Array(1000).fill(120));
            controller.close();
          },
        }),
        duplex: 'half',
      });
    const small = await chunked(5_000);
    expect(small.status).toBe(201);
    expect(await small.json()).toEqual({ bytes: 5_000 });
    const big = await chunked(60_000);
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toContain('application/problem+json');
    expect(await big.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('gives an upload route its own larger limit', async () => {
    const body = JSON.stringify({ rows: 'x'.repeat(30_000) });
    expect((await post(`${url}/uploads`, body)).status).toBe(201);
    expect((await post(`${url}/uploads`, JSON.stringify({ rows: 'x'.repeat(60_000) }))).status).toBe(413);
  });

  it('answers 400 problem+json for malformed JSON without echoing any of the body', async () => {
    const result = await post(`${url}/notes`, '{"bsn": 123456782, "text": "Jan Jansen"');
    expect(result.status).toBe(400);
    expect(result.type).toContain('application/problem+json');
    expect(JSON.parse(result.text)).toMatchObject({ code: 'MALFORMED_BODY' });
    expect(result.text).not.toContain('123456782');
    expect(result.text).not.toContain('Jansen');
  });

  it('refuses NUL and other control characters in body strings and query parameters, naming the field', async () => {
    const body = await post(`${url}/notes`, JSON.stringify({ text: 'Jan\u0000Jansen' }));
    expect(body.status).toBe(400);
    const problem = JSON.parse(body.text) as { code: string; errors: { field: string }[] };
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors.map((e) => e.field)).toEqual(['text']);
    expect(body.text).not.toContain('Jansen');

    const query = await fetch(`${url}/search?name=a%00b&ok=1`);
    expect(query.status).toBe(400);
    expect(((await query.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      'query.name',
    ]);

    const multiline = await post(`${url}/notes`, JSON.stringify({ text: 'line one\r\nline two\tend' }));
    expect(multiline.status).toBe(201);
  });

  it('sets the security headers on every answer and hides x-powered-by', async () => {
    for (const res of [await fetch(`${url}/search?q=1`), await fetch(`${url}/nowhere`)]) {
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    }
  });

  it('answers 503 problem+json with Retry-After when the database pool has no connection to give', async () => {
    const res = await fetch(`${url}/busy`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
  });
});

describe('configureHttpApp rate limit', () => {
  let app: INestApplication;
  let url: string;
  beforeAll(
    async () => ({ app, url } = await start({ rateLimit: { enabled: true, perMinute: 60, burst: 5 } })),
  );
  afterAll(async () => app.close());

  it('answers 429 problem+json with Retry-After once a client has spent its burst; probes are exempt', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${url}/search`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await fetch(`${url}/search`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
  });

  it('keeps a bucket per authenticated subject, separate from the address bucket', async () => {
    const token = issuer.sign({ subject: 'alice', organisationId: ORG_1, roles: ['admin'] });
    const headers = { authorization: `Bearer ${token}` };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${url}/search`, { headers })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    // A forged token counts against the address, which is already spent above.
    expect((await fetch(`${url}/search`, { headers: { authorization: 'Bearer a.b.c' } })).status).toBe(429);
  });
});
