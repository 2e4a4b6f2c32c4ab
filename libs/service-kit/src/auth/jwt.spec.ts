import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKeyPairSync, JsonWebKey } from 'node:crypto';
import { JwtVerifier, LocalTokenIssuer } from './jwt';

const ORG_1 = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';

describe('JwtVerifier', () => {
  const issuer = new LocalTokenIssuer('divit-local', 'divit');
  const verifier = new JwtVerifier({ jwks: issuer.jwks, issuer: 'divit-local', audience: 'divit' });
  const principal = { subject: 'user-1', organisationId: ORG_1, roles: ['admin' as const] };

  it('accepts a token of the configured issuer and returns the principal', () => {
    expect(verifier.verify(issuer.sign(principal))).toEqual(principal);
  });

  it('rejects tampered, expired, foreign-key and wrong-audience tokens with the reason', () => {
    const token = issuer.sign(principal);
    const [h, p, s] = token.split('.') as [string, string, string];
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), roles: ['admin', 'auditor'] }),
    ).toString('base64url');
    expect(() => verifier.verify(`${h}.${forged}.${s}`)).toThrow('bad signature');
    expect(() => verifier.verify(issuer.sign(principal, -120))).toThrow('expired');
    expect(() => verifier.verify(new LocalTokenIssuer().sign(principal))).toThrow('unknown key id');
    expect(() =>
      verifier.verify(new LocalTokenIssuer('divit-local', 'other', issuer.privateKeyPem()).sign(principal)),
    ).toThrow('wrong audience');
    expect(() => verifier.verify('not-a-jwt')).toThrow('malformed');
  });

  it('drops unknown roles and refuses a JWKS holding private keys', () => {
    expect(verifier.verify(issuer.sign({ ...principal, roles: ['admin', 'root' as never] })).roles).toEqual([
      'admin',
    ]);
    const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
    expect(() => new JwtVerifier({ jwks: { keys: [jwk] }, issuer: 'x', audience: 'y' })).toThrow(
      'public keys only',
    );
  });
});

describe('the organisation claim', () => {
  const issuer = new LocalTokenIssuer('divit-local', 'divit');
  const verifier = new JwtVerifier({ jwks: issuer.jwks, issuer: 'divit-local', audience: 'divit' });

  it.each([
    ['a name', 'org-1', ['admin' as const]],
    ['the platform pseudo-organisation without the operator role', 'platform', ['admin' as const]],
    ['an empty string', '', ['member' as const]],
  ])('refuses %s (it would reach uuid columns and fail with a 500)', (_name, organisationId, roles) => {
    expect(() => verifier.verify(issuer.sign({ subject: 's', organisationId, roles }))).toThrow(
      'org is not an organisation id',
    );
  });

  it('accepts an organisation id, and `platform` for the platform operator', () => {
    expect(
      verifier.verify(issuer.sign({ subject: 's', organisationId: ORG_1, roles: ['member'] })).organisationId,
    ).toBe(ORG_1);
    const operator = issuer.sign({ subject: 'o', organisationId: 'platform', roles: ['platform-operator'] });
    expect(verifier.verify(operator).organisationId).toBe('platform');
  });
});

describe('platform operator tokens', () => {
  it('keeps the platform-operator role distinct from admin, in LocalTokenIssuer and in tools/dev-auth.js tokens', () => {
    const issuer = new LocalTokenIssuer('divit-local', 'divit');
    const verifier = new JwtVerifier({ jwks: issuer.jwks, issuer: 'divit-local', audience: 'divit' });
    const operator = { subject: 'ops', organisationId: 'platform', roles: ['platform-operator' as const] };
    expect(verifier.verify(issuer.sign(operator)).roles).toEqual(['platform-operator']);

    const dir = mkdtempSync(path.join(tmpdir(), 'dev-auth-'));
    const script = path.resolve(__dirname, '../../../../tools/dev-auth.js');
    const jwksFile = execFileSync('node', [script, dir], { encoding: 'utf8' }).trim();
    const devVerifier = new JwtVerifier({
      jwks: JSON.parse(readFileSync(jwksFile, 'utf8')) as { keys: JsonWebKey[] },
      issuer: 'divit-local',
      audience: 'divit',
    });
    const token = execFileSync('node', [script, 'token', 'platform', 'platform-operator', dir], {
      encoding: 'utf8',
    }).trim();
    expect(devVerifier.verify(token)).toMatchObject({
      organisationId: 'platform',
      roles: ['platform-operator'],
    });
    const admin = execFileSync('node', [script, 'token', ORG_1, 'admin', dir], { encoding: 'utf8' }).trim();
    expect(devVerifier.verify(admin).roles).toEqual(['admin']);
  });
});
