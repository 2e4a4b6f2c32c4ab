import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKeyPairSync, JsonWebKey } from 'node:crypto';
import { JwtVerifier, LocalTokenIssuer } from './jwt';

describe('JwtVerifier', () => {
  const issuer = new LocalTokenIssuer('divit-local', 'divit');
  const verifier = new JwtVerifier({ jwks: issuer.jwks, issuer: 'divit-local', audience: 'divit' });
  const principal = { subject: 'user-1', organisationId: 'org-1', roles: ['admin' as const] };

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
    const admin = execFileSync('node', [script, 'token', 'org-1', 'admin', dir], { encoding: 'utf8' }).trim();
    expect(devVerifier.verify(admin).roles).toEqual(['admin']);
  });
});
