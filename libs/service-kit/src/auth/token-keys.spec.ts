import { generateKeyPairSync } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, JWK, SignJWT } from 'jose';
import { JwtVerifier, TokenRejected } from './jwt';
import { RemoteKeySource, TokenKeysUnavailableError } from './token-keys';

const ORG = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';

/** A small identity provider on loopback: a discovery document and a JWKS whose keys the test changes. */
class TestIdp {
  keys: JWK[] = [];
  status = 200;
  jwksRequests = 0;
  discoveryIssuer?: string;
  private server?: Server;
  base = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      if (req.url === '/.well-known/openid-configuration') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ issuer: this.discoveryIssuer ?? this.base, jwks_uri: `${this.base}/keys` }));
        return;
      }
      if (req.url === '/keys') {
        this.jwksRequests += 1;
        res.statusCode = this.status;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: this.keys }));
        return;
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

async function signer(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  const sign = (issuer: string) =>
    new SignJWT({ org: ORG, roles: ['member'] })
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .setIssuer(issuer)
      .setAudience('divit')
      .setSubject('u1')
      .setExpirationTime('5m')
      .sign(privateKey);
  return { jwk, sign };
}

describe('RemoteKeySource (a JWKS over HTTP)', () => {
  let idp: TestIdp;
  beforeEach(async () => {
    idp = await new TestIdp().start();
  });
  afterEach(() => idp.stop());

  const verifierFor = (keys: RemoteKeySource) =>
    new JwtVerifier({ keys, issuer: idp.base, audience: 'divit' });

  it('finds the JWKS through OIDC discovery and caches it', async () => {
    const a = await signer('a');
    idp.keys = [a.jwk];
    const verifier = verifierFor(
      new RemoteKeySource({
        discoveryIssuer: idp.base,
        cacheMaxAgeMs: 60_000,
        cooldownMs: 0,
        timeoutMs: 2000,
      }),
    );
    expect((await verifier.verify(await a.sign(idp.base))).subject).toBe('u1');
    expect((await verifier.verify(await a.sign(idp.base))).subject).toBe('u1');
    expect(idp.jwksRequests).toBe(1);
  });

  it('refuses a discovery document that names another issuer', async () => {
    idp.discoveryIssuer = 'https://someone-else.example.org';
    const a = await signer('a');
    idp.keys = [a.jwk];
    const verifier = verifierFor(
      new RemoteKeySource({
        discoveryIssuer: idp.base,
        cacheMaxAgeMs: 60_000,
        cooldownMs: 0,
        timeoutMs: 2000,
      }),
    );
    await expect(verifier.verify(await a.sign(idp.base))).rejects.toBeInstanceOf(TokenKeysUnavailableError);
    expect(idp.jwksRequests).toBe(0);
  });

  it('fetches again for an unknown key id, at most once per cooldown (rotation vs made-up key ids)', async () => {
    const a = await signer('a');
    const b = await signer('b');
    idp.keys = [a.jwk];
    const verifier = verifierFor(
      new RemoteKeySource({
        jwksUrl: `${idp.base}/keys`,
        cacheMaxAgeMs: 60_000,
        cooldownMs: 60_000,
        timeoutMs: 2000,
      }),
    );
    await verifier.verify(await a.sign(idp.base));
    idp.keys = [a.jwk, b.jwk];
    // Within the cooldown a new key id is not fetched for: refused as unknown.
    await expect(verifier.verify(await b.sign(idp.base))).rejects.toMatchObject({ reason: 'unknown-key' });
    for (let i = 0; i < 5; i++)
      await expect(
        verifier.verify(await (await signer(`made-up-${i}`)).sign(idp.base)),
      ).rejects.toBeInstanceOf(TokenRejected);
    expect(idp.jwksRequests).toBe(1);

    const eager = verifierFor(
      new RemoteKeySource({
        jwksUrl: `${idp.base}/keys`,
        cacheMaxAgeMs: 60_000,
        cooldownMs: 0,
        timeoutMs: 2000,
      }),
    );
    idp.keys = [a.jwk];
    await eager.verify(await a.sign(idp.base));
    idp.keys = [b.jwk];
    expect((await eager.verify(await b.sign(idp.base))).subject).toBe('u1');
  });

  it('keeps the last key set when a refresh fails, and reports no keys at all as unavailable', async () => {
    const a = await signer('a');
    idp.keys = [a.jwk];
    const keys = new RemoteKeySource({
      jwksUrl: `${idp.base}/keys`,
      cacheMaxAgeMs: 1,
      cooldownMs: 0,
      timeoutMs: 2000,
    });
    const verifier = verifierFor(keys);
    await verifier.verify(await a.sign(idp.base));
    idp.status = 500;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await verifier.verify(await a.sign(idp.base))).subject).toBe('u1');
    expect(idp.jwksRequests).toBe(2);

    const cold = verifierFor(
      new RemoteKeySource({
        jwksUrl: `${idp.base}/keys`,
        cacheMaxAgeMs: 60_000,
        cooldownMs: 0,
        timeoutMs: 2000,
      }),
    );
    await expect(cold.verify(await a.sign(idp.base))).rejects.toBeInstanceOf(TokenKeysUnavailableError);
  });
});
