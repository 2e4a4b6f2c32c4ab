import { generateKeyPairSync, KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { exportJWK, JWK, SignJWT } from 'jose';
import { topicCatalogue } from '@divit/contracts';
import { createKafka, createTopicsReady, TopicNames } from '@divit/messaging';
import { createTestDatabase, TestDatabase } from '@divit/persistence';
import { bootstrapService, MessagingRuntime } from '@divit/service-kit';
import { eventually } from '@divit/testing';
import { AppModule } from '../../src/app.module';
import { loadRegistrationConfig } from '../../src/config/registration.config';
import { registrationDataSourceOptions } from '../../src/database/data-source';

/**
 * An identity provider on loopback (real HTTP): its OIDC discovery document names its JWKS, whose keys the test
 * rotates while the service runs. Counts the JWKS requests the service makes.
 */
class LocalIdentityProvider {
  keys: JWK[] = [];
  jwksRequests = 0;
  discoveryRequests = 0;
  issuer = '';
  private server?: Server;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') {
        this.discoveryRequests += 1;
        res.end(JSON.stringify({ issuer: this.issuer, jwks_uri: `${this.issuer}/protocol/certs` }));
      } else if (req.url === '/protocol/certs') {
        this.jwksRequests += 1;
        res.end(JSON.stringify({ keys: this.keys }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

interface SigningKey {
  kid: string;
  alg: string;
  privateKey: KeyObject;
  jwk: JWK;
}
async function signingKey(
  kid: string,
  alg: string,
  pair: { privateKey: KeyObject; publicKey: KeyObject },
): Promise<SigningKey> {
  return {
    kid,
    alg,
    privateKey: pair.privateKey,
    jwk: { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' },
  };
}

/**
 * Issue 14 item 5: the service's tokens verify against a JWKS URL (found by OIDC discovery) whose key is rotated
 * while the service runs: the new key id is published and the old one removed; tokens of the new key verify,
 * tokens of the removed key are refused once the key set was fetched again. Real HTTP, the real registration
 * service booted with bootstrapService, real PostgreSQL and Kafka.
 */
describe('registration: bearer tokens against a rotating JWKS URL (OIDC discovery, real HTTP)', () => {
  const prefix = `it-regjwks-${randomBytes(3).toString('hex')}-`;
  const topics = new TopicNames(topicCatalogue, prefix);
  const idp = new LocalIdentityProvider();
  let db: TestDatabase;
  let app: INestApplication | undefined;
  let url = '';
  let oldKey: SigningKey;
  let newKey: SigningKey;

  const token = (key: SigningKey, organisationId = 'platform', roles = ['platform-operator']) =>
    new SignJWT({ org: organisationId, roles })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(idp.issuer)
      .setAudience('divit')
      .setSubject('operator-1')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key.privateKey);

  /** An authenticated read: 404 ORGANISATION_NOT_FOUND once the token verified, 401 problem+json when refused. */
  const call = async (bearer: string) => {
    const res = await fetch(`${url}/organisations/${randomUUID()}`, {
      headers: { authorization: `Bearer ${bearer}` },
    });
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      body: (await res.json()) as { code?: string; detail?: string },
    };
  };

  beforeAll(async () => {
    oldKey = await signingKey('key-2026-11', 'RS256', generateKeyPairSync('rsa', { modulusLength: 2048 }));
    newKey = await signingKey('key-2026-12', 'ES256', generateKeyPairSync('ec', { namedCurve: 'P-256' }));
    await idp.start();
    idp.keys = [oldKey.jwk];

    const seed = loadRegistrationConfig({ KAFKA_TOPIC_PREFIX: prefix });
    db = await createTestDatabase({ prefix: 'registration', options: registrationDataSourceOptions(seed) });
    const kafka = createKafka({ brokers: seed.KAFKA_BROKERS, clientId: prefix });
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsReady(
      admin,
      Object.values(topicCatalogue).map((t) => ({
        topic: topics.name(t.key),
        numPartitions: t.partitions,
      })),
    );
    await admin.disconnect();

    const config = loadRegistrationConfig({
      KAFKA_TOPIC_PREFIX: prefix,
      SCHEMA_AUTO_REGISTER: 'true',
      AUTH_ISSUER: idp.issuer,
      AUTH_OIDC_DISCOVERY: 'true',
      // A new key id may trigger a fetch at most once a second; the cached set is otherwise kept for 10 minutes.
      AUTH_JWKS_COOLDOWN_SEC: '1',
      AUTH_JWKS_CACHE_MAX_AGE_SEC: '600',
      DB_NAME: db.name,
      DB_USER: 'postgres',
    });
    app = await bootstrapService({
      service: 'registration',
      config: { PORT: 0, HTTP_HOST: '127.0.0.1' },
      module: AppModule.forRoot(config),
    });
    url = await app.getUrl();
    await app.get(MessagingRuntime, { strict: false }).consumersJoined();
  });

  afterAll(async () => {
    await app?.close();
    await idp.stop();
    const kafka = createKafka({ brokers: ['127.0.0.1:9092'], clientId: `${prefix}cleanup` });
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(topicCatalogue).map((t) => topics.name(t.key)) });
    await admin.disconnect();
    await db.drop();
  });

  it('verifies tokens of the published key, then of the rotated-in key, and refuses the removed key', async () => {
    // Before rotation: the old key (RS256) verifies; the key set was found through discovery and fetched once.
    const before = await call(await token(oldKey));
    expect(before.status).toBe(404);
    expect(before.body.code).toBe('ORGANISATION_NOT_FOUND');
    expect(idp.discoveryRequests).toBe(1);
    expect(idp.jwksRequests).toBe(1);
    // Cached: more calls fetch nothing.
    expect((await call(await token(oldKey))).status).toBe(404);
    expect(idp.jwksRequests).toBe(1);

    // A token of a key the identity provider has not published is refused (unknown key id).
    const early = await call(await token(newKey));
    expect(early).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHENTICATED', detail: 'Invalid bearer token: unknown key id.' },
    });
    expect(early.type).toContain('application/problem+json');

    // Rotation at the identity provider while the service runs: the new key id published, the old one removed.
    idp.keys = [newKey.jwk];
    const fetchesAtRotation = idp.jwksRequests;
    const rotated = await eventually(async () => (await call(await token(newKey))).status, {
      description: 'async () => (await call(await token(newKey))).status',
      until: (status) => status === 404,
      timeoutMs: 15_000,
    });
    expect(rotated).toBe(404);
    // The unknown key id made the service fetch again, rate-limited by the cooldown (not once per request).
    expect(idp.jwksRequests).toBeGreaterThan(fetchesAtRotation);
    expect(idp.jwksRequests - fetchesAtRotation).toBeLessThanOrEqual(3);

    // After that refresh the removed key no longer verifies, though its tokens have not expired.
    const removed = await call(await token(oldKey));
    expect(removed).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHENTICATED', detail: 'Invalid bearer token: unknown key id.' },
    });
    expect(removed.type).toContain('application/problem+json');
    expect((await call(await token(newKey))).status).toBe(404);
  });

  it('refuses tokens of another issuer, an HS256 token keyed with the public key, and an unsigned token', async () => {
    const foreign = await new SignJWT({ org: 'platform', roles: ['platform-operator'] })
      .setProtectedHeader({ alg: newKey.alg, kid: newKey.kid })
      .setIssuer('https://someone-else.example.org')
      .setAudience('divit')
      .setSubject('x')
      .setExpirationTime('5m')
      .sign(newKey.privateKey);
    expect(await call(foreign)).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHENTICATED', detail: 'Invalid bearer token: wrong issuer.' },
    });
    const hs256 = await new SignJWT({ org: 'platform', roles: ['platform-operator'] })
      .setProtectedHeader({ alg: 'HS256', kid: newKey.kid })
      .setIssuer(idp.issuer)
      .setAudience('divit')
      .setSubject('x')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JSON.stringify(newKey.jwk)));
    expect(await call(hs256)).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHENTICATED', detail: 'Invalid bearer token: algorithm not allowed.' },
    });
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const unsigned = `${b64({ alg: 'none' })}.${b64({ iss: idp.issuer, aud: 'divit', sub: 'x', org: 'platform', roles: ['platform-operator'], exp: Math.floor(Date.now() / 1000) + 300 })}.`;
    expect(await call(unsigned)).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHENTICATED', detail: 'Invalid bearer token: algorithm not allowed.' },
    });
  });
});
