import { spawn } from 'node:child_process';
import { createServer as createHttpServer, IncomingMessage } from 'node:http';
import { AddressInfo, createServer as createTcpServer, Server } from 'node:net';
import path from 'node:path';

const listen = (server: Server, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
const body = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => resolve(text));
  });

/**
 * Runs startTelemetry in a plain node process (as a service's main.ts does): the OTLP exporter loads `http`
 * with a dynamic import, which jest's VM sandbox refuses, so in jest an export would fail before any socket
 * is opened and a test of "nothing connects" would pass whatever the code did. The child starts telemetry,
 * ends one span, stops (which flushes), and prints the span's ids as JSON.
 */
function spanInNode(options: { otlpEndpoint?: string }): Promise<{ traceId: string; recording: boolean }> {
  const script = `
    require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
    const { trace } = require('@opentelemetry/api');
    const { startTelemetry, stopTelemetry } = require(${JSON.stringify(path.join(__dirname, 'telemetry.ts'))});
    startTelemetry({ serviceName: 'telemetry-spec', ...${JSON.stringify(options)} });
    const span = trace.getTracer('spec').startSpan('span-of-the-spec');
    const recording = span.isRecording();
    span.end();
    stopTelemetry().then(() => process.stdout.write(JSON.stringify({ traceId: span.spanContext().traceId, recording })));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: __dirname, env: { ...process.env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as { traceId: string; recording: boolean })
        : reject(new Error(err)),
    );
  });
}

/** Real sockets on 127.0.0.1: where spans go with and without OTEL_EXPORTER_OTLP_ENDPOINT. */
describe('startTelemetry (in a node process)', () => {
  it('without an OTLP endpoint spans get ids but go nowhere: nothing connects to the default localhost:4318', async () => {
    let connections = 0;
    const defaultCollector = createTcpServer((socket) => {
      connections++;
      socket.destroy();
    });
    await listen(defaultCollector, 4318);
    try {
      const span = await spanInNode({});
      expect(span.recording).toBe(true);
      expect(span.traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
      expect(connections).toBe(0);
    } finally {
      await close(defaultCollector);
    }
  }, 30_000);

  it('with an OTLP endpoint the ended span is posted to <endpoint>/v1/traces with the service name', async () => {
    const posts: { url: string | undefined; text: string }[] = [];
    const collector = createHttpServer((req, res) => {
      void body(req).then((text) => {
        posts.push({ url: req.url, text });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    const port = await listen(collector, 0);
    try {
      const span = await spanInNode({ otlpEndpoint: `http://127.0.0.1:${port}/` });
      expect(posts).toHaveLength(1);
      expect(posts[0]!.url).toBe('/v1/traces');
      expect(posts[0]!.text).toContain('span-of-the-spec');
      expect(posts[0]!.text).toContain('telemetry-spec');
      expect(posts[0]!.text).toContain(span.traceId);
    } finally {
      await close(collector);
    }
  }, 30_000);
});
