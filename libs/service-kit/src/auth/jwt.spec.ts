import { execFileSync } from 'node:child_process';
import { createHmac, generateKeyPairSync, KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CompactSign, exportJWK, JWK, SignJWT } from 'jose';
import { JwtVerifier, Principal, TokenRejected, TokenRejectionReason } from './jwt';
import { LocalTokenIssuer } from './local-token-issuer';
import { staticKeySource } from './token-keys';

const ORG_1 = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
const principal: Principal = { subject: 'user-1', organisationId: ORG_1, roles: ['admin'] };
const claims = { org: ORG_1, roles: ['admin'] };

/** Key pairs of every type the platform accepts, and some it does not, each with a JWK and kid. */
interface TestKey {
  kid: string;
  privateKey: KeyObject;
  jwk: JWK;
}
async function testKey(kid: string, pair: { privateKey: KeyObject; publicKey: KeyObject }): Promise<TestKey> {
  return { kid, privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid } };
}

let rsa: TestKey;
let ec: TestKey;
let ed: TestKey;
let p384: TestKey;
let ed448: TestKey;
let verifier: JwtVerifier;

beforeAll(async () => {
  rsa = await testKey('k-rsa', generateKeyPairSync('rsa', { modulusLength: 2048 }));
  ec = await testKey('k-ec', generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  ed = await testKey('k-ed', generateKeyPairSync('ed25519'));
  p384 = await testKey('k-p384', generateKeyPairSync('ec', { namedCurve: 'P-384' }));
  ed448 = await testKey('k-ed448', generateKeyPairSync('ed448'));
  verifier = new JwtVerifier({
    keys: staticKeySource({ keys: [rsa.jwk, ec.jwk, ed.jwk, p384.jwk, ed448.jwk] }),
    issuer: 'https://idp.example.org',
    audience: 'divit',
  });
});

interface Mint {
  alg: string;
  key: TestKey;
  kid?: string;
  iss?: string;
  aud?: string;
  sub?: string | null;
  exp?: number;
  nbf?: number;
  extra?: Record<string, unknown>;
}
const now = () => Math.floor(Date.now() / 1000);
async function mint(m: Mint): Promise<string> {
  const jwt = new SignJWT({ ...claims, ...m.extra })
    .setProtectedHeader({ alg: m.alg, kid: m.kid ?? m.key.kid, typ: 'JWT' })
    .setIssuer(m.iss ?? 'https://idp.example.org')
    .setAudience(m.aud ?? 'divit')
    .setIssuedAt()
    .setExpirationTime(m.exp ?? now() + 300);
  if (m.sub !== null) jwt.setSubject(m.sub ?? 'user-1');
  if (m.nbf !== undefined) jwt.setNotBefore(m.nbf);
  return jwt.sign(m.key.privateKey);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function reasonOf(token: string, v: JwtVerifier = verifier): Promise<TokenRejectionReason> {
  try {
    await v.verify(token);
  } catch (error) {
    if (error instanceof TokenRejected) return error.reason;
    throw error;
  }
  throw new Error('the token verified');
}

describe('JwtVerifier: allowed algorithms, each on its own key type', () => {
  it.each([
    ['RS256', () => rsa],
    ['PS256', () => rsa],
    ['ES256', () => ec],
    ['EdDSA', () => ed],
  ])('accepts %s and returns the principal', async (alg, key) => {
    expect(await verifier.verify(await mint({ alg, key: key() }))).toEqual(principal);
  });

  it('accepts tokens of the local development issuer (EdDSA)', async () => {
    const issuer = new LocalTokenIssuer('divit-local', 'divit');
    const local = new JwtVerifier({
      keys: staticKeySource(issuer.jwks),
      issuer: 'divit-local',
      audience: 'divit',
    });
    expect(await local.verify(issuer.sign(principal))).toEqual(principal);
  });
});

describe('JwtVerifier: forbidden algorithms', () => {
  it('refuses `none` (an unsigned token)', async () => {
    const payload = { iss: 'https://idp.example.org', aud: 'divit', sub: 'u', exp: now() + 300, ...claims };
    expect(await reasonOf(`${b64({ alg: 'none', kid: 'k-rsa' })}.${b64(payload)}.`)).toBe(
      'algorithm-not-allowed',
    );
  });

  it('refuses HS256 keyed with the public key (the algorithm-confusion attack)', async () => {
    const payload = { iss: 'https://idp.example.org', aud: 'divit', sub: 'u', exp: now() + 300, ...claims };
    const input = `${b64({ alg: 'HS256', kid: 'k-rsa', typ: 'JWT' })}.${b64(payload)}`;
    const secret = Buffer.from(JSON.stringify(rsa.jwk));
    const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    expect(await reasonOf(token)).toBe('algorithm-not-allowed');
  });

  it.each(['RS384', 'RS512', 'ES384', 'ES512', 'PS512', 'HS512'])('refuses %s', async (alg) => {
    const payload = { iss: 'https://idp.example.org', aud: 'divit', sub: 'u', exp: now() + 300, ...claims };
    expect(await reasonOf(`${b64({ alg, kid: 'k-rsa' })}.${b64(payload)}.c2ln`)).toBe(
      'algorithm-not-allowed',
    );
  });

  it('refuses an allowed algorithm with a key id of another key type (ES256 naming the RSA key)', async () => {
    expect(await reasonOf(await mint({ alg: 'ES256', key: ec, kid: 'k-rsa' }))).toBe('algorithm-not-allowed');
  });

  it('refuses ES256 on a P-384 key and EdDSA on an Ed448 key (ES256 is P-256, EdDSA is Ed25519)', async () => {
    expect(await reasonOf(await mint({ alg: 'ES384', key: p384 }))).toBe('algorithm-not-allowed');
    expect(await reasonOf(await mint({ alg: 'EdDSA', key: ed448 }))).toBe('algorithm-not-allowed');
    const es256OnP384 = `${b64({ alg: 'ES256', kid: 'k-p384' })}.${b64({ sub: 'u' })}.c2ln`;
    expect(await reasonOf(es256OnP384)).toBe('algorithm-not-allowed');
  });

  it('refuses an algorithm left out of the configured list (AUTH_ALGORITHMS)', async () => {
    const edOnly = new JwtVerifier({
      keys: staticKeySource({ keys: [rsa.jwk, ed.jwk] }),
      issuer: 'https://idp.example.org',
      audience: 'divit',
      algorithms: ['EdDSA'],
    });
    expect(await reasonOf(await mint({ alg: 'RS256', key: rsa }), edOnly)).toBe('algorithm-not-allowed');
    expect(await edOnly.verify(await mint({ alg: 'EdDSA', key: ed }))).toEqual(principal);
    expect(
      () =>
        new JwtVerifier({
          keys: staticKeySource({ keys: [ed.jwk] }),
          issuer: 'x',
          audience: 'y',
          algorithms: ['HS256' as never],
        }),
    ).toThrow('not allowed');
  });
});

describe('JwtVerifier: every rejection reason', () => {
  it('malformed: not a JWS, or segments that are not JSON', async () => {
    expect(await reasonOf('not-a-jwt')).toBe('malformed');
    expect(await reasonOf('a.b.c')).toBe('malformed');
    // Signed, but the payload is no JSON claims set.
    const signed = await new CompactSign(new TextEncoder().encode('not json'))
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k-ed' })
      .sign(ed.privateKey);
    expect(await reasonOf(signed)).toBe('malformed');
  });

  it('unknown-key: a key id the key set does not hold', async () => {
    const stranger = await testKey('k-stranger', generateKeyPairSync('ed25519'));
    expect(await reasonOf(await mint({ alg: 'EdDSA', key: stranger }))).toBe('unknown-key');
  });

  it('bad-signature: a changed payload, or a key id of the right type whose key did not sign', async () => {
    const token = await mint({ alg: 'RS256', key: rsa });
    const [h, p, s] = token.split('.') as [string, string, string];
    const forged = b64({
      ...JSON.parse(Buffer.from(p, 'base64url').toString()),
      roles: ['admin', 'auditor'],
    });
    expect(await reasonOf(`${h}.${forged}.${s}`)).toBe('bad-signature');
    const other = await testKey('k-ed', generateKeyPairSync('ed25519'));
    expect(await reasonOf(await mint({ alg: 'EdDSA', key: other }))).toBe('bad-signature');
  });

  it('expired, with the clock tolerance (default 30 s, configurable)', async () => {
    expect(await reasonOf(await mint({ alg: 'ES256', key: ec, exp: now() - 120 }))).toBe('expired');
    expect(await verifier.verify(await mint({ alg: 'ES256', key: ec, exp: now() - 10 }))).toEqual(principal);
    const strict = new JwtVerifier({
      keys: staticKeySource({ keys: [ec.jwk] }),
      issuer: 'https://idp.example.org',
      audience: 'divit',
      clockToleranceSec: 0,
    });
    expect(await reasonOf(await mint({ alg: 'ES256', key: ec, exp: now() - 10 }), strict)).toBe('expired');
  });

  it('not-yet-valid: nbf in the future beyond the tolerance', async () => {
    expect(await reasonOf(await mint({ alg: 'EdDSA', key: ed, nbf: now() + 120 }))).toBe('not-yet-valid');
    expect(await verifier.verify(await mint({ alg: 'EdDSA', key: ed, nbf: now() + 10 }))).toEqual(principal);
  });

  it('wrong-issuer and wrong-audience', async () => {
    expect(await reasonOf(await mint({ alg: 'EdDSA', key: ed, iss: 'divit-local' }))).toBe('wrong-issuer');
    expect(await reasonOf(await mint({ alg: 'EdDSA', key: ed, aud: 'other' }))).toBe('wrong-audience');
  });

  it('invalid-claims: a missing required claim, or org that is no organisation id', async () => {
    expect(await reasonOf(await mint({ alg: 'EdDSA', key: ed, sub: null }))).toBe('invalid-claims');
    expect(await reasonOf(await mint({ alg: 'EdDSA', key: ed, extra: { org: 'org-1' } }))).toBe(
      'invalid-claims',
    );
    const needsJti = new JwtVerifier({
      keys: staticKeySource({ keys: [ed.jwk] }),
      issuer: 'https://idp.example.org',
      audience: 'divit',
      requiredClaims: ['jti'],
    });
    await expect(needsJti.verify(await mint({ alg: 'EdDSA', key: ed }))).rejects.toMatchObject({
      reason: 'invalid-claims',
      detail: 'missing jti claim',
    });
    expect(await needsJti.verify(await mint({ alg: 'EdDSA', key: ed, extra: { jti: 'j1' } }))).toEqual(
      principal,
    );
  });

  it('an expired token without exp is refused too (exp is required)', async () => {
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k-ed' })
      .setIssuer('https://idp.example.org')
      .setAudience('divit')
      .setSubject('u')
      .sign(ed.privateKey);
    await expect(verifier.verify(token)).rejects.toMatchObject({
      reason: 'invalid-claims',
      detail: 'missing exp claim',
    });
  });

  it('drops unknown roles', async () => {
    const token = await mint({ alg: 'EdDSA', key: ed, extra: { roles: ['admin', 'root'] } });
    expect((await verifier.verify(token)).roles).toEqual(['admin']);
  });
});

describe('static key sets', () => {
  it('refuse private keys, symmetric keys and an empty set', async () => {
    const privateJwk = await exportJWK(generateKeyPairSync('ed25519').privateKey);
    expect(() => staticKeySource({ keys: [privateJwk] })).toThrow('public keys only');
    expect(() => staticKeySource({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] })).toThrow('symmetric');
    expect(() => staticKeySource({ keys: [] })).toThrow('no keys');
    expect(() => staticKeySource({ nokeys: true })).toThrow('"keys" array');
  });
});

describe('the organisation claim', () => {
  const issuer = new LocalTokenIssuer('divit-local', 'divit');
  const local = new JwtVerifier({
    keys: staticKeySource(issuer.jwks),
    issuer: 'divit-local',
    audience: 'divit',
  });

  it.each([
    ['a name', 'org-1', ['admin' as const]],
    ['the platform pseudo-organisation without the operator role', 'platform', ['admin' as const]],
    ['an empty string', '', ['member' as const]],
  ])('refuses %s (it would reach uuid columns and fail with a 500)', async (_name, organisationId, roles) => {
    await expect(local.verify(issuer.sign({ subject: 's', organisationId, roles }))).rejects.toMatchObject({
      reason: 'invalid-claims',
      detail: 'org is not an organisation id',
    });
  });

  it('accepts an organisation id, and `platform` for the platform operator', async () => {
    expect(
      (await local.verify(issuer.sign({ subject: 's', organisationId: ORG_1, roles: ['member'] })))
        .organisationId,
    ).toBe(ORG_1);
    const operator = issuer.sign({ subject: 'o', organisationId: 'platform', roles: ['platform-operator'] });
    expect((await local.verify(operator)).organisationId).toBe('platform');
  });
});

describe('verifyOnce', () => {
  it('verifies a request token once and gives every caller the same verdict', async () => {
    const issuer = new LocalTokenIssuer();
    const local = new JwtVerifier({
      keys: staticKeySource(issuer.jwks),
      issuer: 'divit-local',
      audience: 'divit',
    });
    const spy = jest.spyOn(local, 'verify');
    const request = {};
    const token = issuer.sign(principal);
    expect(await local.verifyOnce(request, token)).toEqual(principal);
    expect(await local.verifyOnce(request, token)).toEqual(principal);
    expect(spy).toHaveBeenCalledTimes(1);
    await expect(local.verifyOnce({}, 'x.y.z')).rejects.toBeInstanceOf(TokenRejected);
  });
});

describe('platform operator tokens', () => {
  it('keeps the platform-operator role distinct from admin, in LocalTokenIssuer and in tools/dev-auth.js tokens', async () => {
    const issuer = new LocalTokenIssuer('divit-local', 'divit');
    const local = new JwtVerifier({
      keys: staticKeySource(issuer.jwks),
      issuer: 'divit-local',
      audience: 'divit',
    });
    const operator = { subject: 'ops', organisationId: 'platform', roles: ['platform-operator' as const] };
    expect((await local.verify(issuer.sign(operator))).roles).toEqual(['platform-operator']);

    const dir = mkdtempSync(path.join(tmpdir(), 'dev-auth-'));
    const script = path.resolve(__dirname, '../../../../tools/dev-auth.js');
    const jwksFile = execFileSync('node', [script, dir], { encoding: 'utf8' }).trim();
    const devVerifier = new JwtVerifier({
      keys: staticKeySource(JSON.parse(readFileSync(jwksFile, 'utf8'))),
      issuer: 'divit-local',
      audience: 'divit',
    });
    const token = execFileSync('node', [script, 'token', 'platform', 'platform-operator', dir], {
      encoding: 'utf8',
    }).trim();
    expect(await devVerifier.verify(token)).toMatchObject({
      organisationId: 'platform',
      roles: ['platform-operator'],
    });
    const admin = execFileSync('node', [script, 'token', ORG_1, 'admin', dir], { encoding: 'utf8' }).trim();
    expect((await devVerifier.verify(admin)).roles).toEqual(['admin']);
  });
});
