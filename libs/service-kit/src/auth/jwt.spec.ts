import { generateKeyPairSync } from 'node:crypto';
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
