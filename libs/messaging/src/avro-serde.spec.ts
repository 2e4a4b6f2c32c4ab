import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
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
    expect(pending.length).toBe(3); // requestAttempts (3), each timed out
    // 300 ms per attempt, far from the unbounded wait before.
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});

describe('AvroSerde against a registry that leaves one request unanswered', () => {
  let server: Server;
  let requests = 0;
  const writer = { type: 'record', name: 'Ping', namespace: 't', fields: [{ name: 'n', type: 'int' }] };

  beforeAll(async () => {
    // The first request is never answered (a stuck request in a registry that answers others).
    server = createServer((request, response) => {
      requests++;
      if (requests === 1) return;
      if (request.url === '/schemas/ids/7') {
        response.writeHead(200, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
        response.end(JSON.stringify({ schema: JSON.stringify(writer) }));
        return;
      }
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('asks again after a timeout and reads the record (one attempt failed it before)', async () => {
    const { port } = server.address() as AddressInfo;
    const serde = new AvroSerde({
      registryUrl: `http://127.0.0.1:${port}`,
      autoRegister: false,
      requestTimeoutMs: 300,
    });
    const decoded = await serde.decode(frame(7, Buffer.from([2])), new Map());
    expect(decoded).toEqual({ type: 't.Ping', schemaId: 7, value: undefined });
    expect(requests).toBe(2);
  });
});

describe('AvroSerde when the registry drops the answer to a first request', () => {
  let server: Server;
  let requests = 0;
  const writer = { type: 'record', name: 'Pong', namespace: 't', fields: [{ name: 'n', type: 'int' }] };

  beforeAll(async () => {
    // The first request is never answered; a full request timeout of 10 s would hold the caller that long.
    server = createServer((request, response) => {
      requests++;
      if (requests === 1) return;
      if (request.url === '/schemas/ids/8') {
        response.writeHead(200, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
        response.end(JSON.stringify({ schema: JSON.stringify(writer) }));
        return;
      }
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('gives up on the first attempt after firstAttemptTimeoutMs and asks again with the full timeout', async () => {
    const { port } = server.address() as AddressInfo;
    const serde = new AvroSerde({
      registryUrl: `http://127.0.0.1:${port}`,
      autoRegister: false,
      requestTimeoutMs: 10_000,
      firstAttemptTimeoutMs: 300,
    });
    const started = Date.now();
    const decoded = await serde.decode(frame(8, Buffer.from([2])), new Map());
    expect(decoded).toEqual({ type: 't.Pong', schemaId: 8, value: undefined });
    expect(requests).toBe(2);
    // Before, the first attempt waited the full 10 s (the jest timeout) before asking again.
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('AvroSerde registering several schemas at once', () => {
  let server: Server;
  let inFlight = 0;
  let maxInFlight = 0;
  let nextId = 100;

  beforeAll(async () => {
    const json = (response: ServerResponse, status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      response.end(JSON.stringify(body));
    };
    server = createServer((request, response) => {
      const url = request.url ?? '';
      request.resume();
      if (request.method === 'POST' && /^\/subjects\/[^/]+\/versions$/.test(url)) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setTimeout(() => {
          inFlight--;
          json(response, 200, { id: nextId++ });
        }, 30);
        return;
      }
      if (request.method === 'PUT' && url.startsWith('/config/')) return json(response, 200, {});
      // Subject config and schema lookups: not registered yet.
      json(response, 404, { error_code: 40401, message: 'Subject not found' });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends one registration at a time (Apicurio serialises writes anyway) and gets every id', async () => {
    const { port } = server.address() as AddressInfo;
    const serde = new AvroSerde({ registryUrl: `http://127.0.0.1:${port}`, autoRegister: true });
    const descriptors = [1, 2, 3, 4, 5].map((n) => ({
      type: `t.Event${n}`,
      topic: 't.events',
      schema: { type: 'record', name: `Event${n}`, namespace: 't', fields: [{ name: 'n', type: 'int' }] },
    }));
    const ids = await Promise.all(descriptors.map((d) => serde.schemaId('t.events', d)));
    expect(new Set(ids).size).toBe(5);
    expect(maxInFlight).toBe(1);
  });
});

describe('AvroSerde schema id cache', () => {
  let server: Server;
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push(`${request.method ?? '?'} ${request.url ?? ''}`);
      request.resume();
      response.writeHead(200, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      // A lookup by schema (POST /subjects/<subject>) answers with the registered id.
      response.end(JSON.stringify({ subject: 's', version: 1, id: 42, schema: '"int"' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('asks the registry once per subject and schema, serialises the schema only then, and knows the id synchronously afterwards', async () => {
    const { port } = server.address() as AddressInfo;
    const serde = new AvroSerde({ registryUrl: `http://127.0.0.1:${port}`, autoRegister: false });
    const descriptor = {
      type: 't.Event',
      topic: 't.events',
      schema: { type: 'record', name: 'Event', namespace: 't', fields: [{ name: 'n', type: 'int' }] },
    };
    const fingerprint = serde.fingerprint(descriptor);
    expect(serde.knownSchemaId('t.events', 't.Event', fingerprint)).toBeUndefined();
    let serialised = 0;
    const schemaJson = (): string => {
      serialised++;
      return serde.schemaJson(descriptor);
    };
    const first = await Promise.all([
      serde.schemaIdFor('t.events', 't.Event', fingerprint, schemaJson),
      serde.schemaIdFor('t.events', 't.Event', fingerprint, schemaJson),
    ]);
    for (let i = 0; i < 100; i++) await serde.schemaId('t.events', descriptor);
    expect(first).toEqual([42, 42]);
    expect(serialised).toBe(1);
    expect(requests).toHaveLength(1);
    expect(serde.knownSchemaId('t.events', 't.Event', fingerprint)).toBe(42);
    // Another topic is another subject: asked again.
    expect(serde.knownSchemaId('u.events', 't.Event', fingerprint)).toBeUndefined();
    await serde.encode('u.events', descriptor, { n: 1 });
    expect(requests).toHaveLength(2);
    expect(serde.knownSchemaId('u.events', 't.Event', fingerprint)).toBe(42);
  });
});
