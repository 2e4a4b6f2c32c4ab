import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { AvroSerde } from './avro-serde';
import { MessagingError } from './errors';
import { frame } from './wire-format';

describe('AvroSerde against a registry that never answers', () => {
  let server: Server;
  const pending: IncomingMessage[] = [];

  beforeAll(async () => {
    // Accepts connections and requests, never responds: a hung registry (overloaded, stuck thread pool).
    server = createServer((request) => {
      pending.push(request);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fails a schema lookup with SCHEMA_REGISTRY_UNAVAILABLE instead of waiting forever', async () => {
    const { port } = server.address() as AddressInfo;
    const serde = new AvroSerde({
      registryUrl: `http://127.0.0.1:${port}`,
      autoRegister: false,
      requestTimeoutMs: 300,
    });
    const started = Date.now();
    const error = await serde.decode(frame(4242, Buffer.from([2])), new Map()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MessagingError);
    expect((error as MessagingError).code).toBe('SCHEMA_REGISTRY_UNAVAILABLE');
    expect(pending.length).toBeGreaterThanOrEqual(1);
    // 300 ms per attempt plus the client's retries and backoff, far from the unbounded wait before.
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});
