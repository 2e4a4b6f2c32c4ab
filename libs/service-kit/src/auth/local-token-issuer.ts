import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  JsonWebKey,
  KeyObject,
  randomUUID,
  sign,
} from 'node:crypto';
import type { Principal } from './jwt';

/**
 * A local token issuer (Ed25519) for development, the demonstration and tests: NOT an identity provider.
 * Production verifies tokens of the organisation's identity provider (AUTH_JWKS_URL or OIDC discovery).
 * It signs synchronously with node:crypto (jose only signs asynchronously, and every test mints tokens inline);
 * what it signs is verified by the jose-based {@link JwtVerifier} like any identity provider's token.
 */
export class LocalTokenIssuer {
  readonly kid: string;
  private readonly privateKey: KeyObject;
  readonly publicJwk: JsonWebKey & { kid: string; alg: string; use: string };

  constructor(
    readonly issuer = 'divit-local',
    readonly audience = 'divit',
    privateKeyPem?: string,
  ) {
    this.privateKey = privateKeyPem
      ? createPrivateKey(privateKeyPem)
      : generateKeyPairSync('ed25519').privateKey;
    const jwk = createPublicKey(this.privateKey).export({ format: 'jwk' });
    this.kid = `local-${Buffer.from(jwk.x ?? '', 'base64url')
      .subarray(0, 6)
      .toString('hex')}`;
    this.publicJwk = { ...jwk, kid: this.kid, alg: 'EdDSA', use: 'sig' };
  }

  get jwks(): { keys: (JsonWebKey & { kid: string })[] } {
    return { keys: [this.publicJwk] };
  }

  privateKeyPem(): string {
    return this.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  }

  sign(principal: Principal, ttlSec = 3600): string {
    const now = Math.floor(Date.now() / 1000);
    const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'JWT', kid: this.kid })).toString(
      'base64url',
    );
    const payload = Buffer.from(
      JSON.stringify({
        iss: this.issuer,
        aud: this.audience,
        sub: principal.subject,
        org: principal.organisationId,
        roles: principal.roles,
        iat: now,
        exp: now + ttlSec,
        jti: randomUUID(),
      }),
    ).toString('base64url');
    const signature = sign(null, Buffer.from(`${header}.${payload}`), this.privateKey).toString('base64url');
    return `${header}.${payload}.${signature}`;
  }
}
