import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  JsonWebKey,
  KeyObject,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';

/**
 * Roles a token may carry. `platform-operator` is the DIV-it platform's own operator (not a tenant): only it may do
 * platform-wide things (see ./README.md). Every other role acts for the token's organisation (`org`) only;
 * `admin` is that organisation's administrator.
 */
export type Role =
  'admin' | 'allocation-system' | 'auditor' | 'coordinator' | 'finance' | 'member' | 'platform-operator';
export const ROLES: readonly Role[] = [
  'admin',
  'allocation-system',
  'auditor',
  'coordinator',
  'finance',
  'member',
  'platform-operator',
];

/** The authenticated caller: a user or system acting for one organisation. */
export interface Principal {
  subject: string;
  organisationId: string;
  roles: Role[];
}

export interface JwtVerifierOptions {
  /** JWKS document (public keys only), e.g. from the identity provider. */
  jwks: { keys: (JsonWebKey & { kid?: string; alg?: string })[] };
  issuer: string;
  audience: string;
  /** Allowed clock skew in seconds. */
  clockToleranceSec?: number;
}

export class InvalidTokenError extends Error {
  constructor(readonly reason: string) {
    super(`invalid bearer token: ${reason}`);
    this.name = 'InvalidTokenError';
  }
}

const ORGANISATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ALGORITHMS: Record<string, { hash: string | null; dsa?: 'ieee-p1363' }> = {
  EdDSA: { hash: null },
  ES256: { hash: 'sha256', dsa: 'ieee-p1363' },
  RS256: { hash: 'sha256' },
};

const b64json = (part: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

/** Verifies compact JWS bearer tokens (EdDSA, ES256, RS256) against a JWKS; no network, no `none`. */
export class JwtVerifier {
  private readonly keys = new Map<string, KeyObject>();

  constructor(private readonly options: JwtVerifierOptions) {
    for (const jwk of options.jwks.keys) {
      if ('d' in jwk && jwk.d) throw new Error('the JWKS must contain public keys only');
      this.keys.set(jwk.kid ?? '', createPublicKey({ key: jwk, format: 'jwk' }));
    }
    if (this.keys.size === 0) throw new Error('the JWKS has no keys');
  }

  verify(token: string, now = Date.now()): Principal {
    const parts = token.split('.');
    if (parts.length !== 3) throw new InvalidTokenError('malformed');
    const [h, p, s] = parts as [string, string, string];
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = b64json(h);
      claims = b64json(p);
    } catch {
      throw new InvalidTokenError('malformed');
    }
    const alg = typeof header.alg === 'string' ? ALGORITHMS[header.alg] : undefined;
    if (!alg) throw new InvalidTokenError('unsupported algorithm');
    const key = this.keys.get(typeof header.kid === 'string' ? header.kid : '');
    if (!key) throw new InvalidTokenError('unknown key id');
    const ok = verify(
      alg.hash,
      Buffer.from(`${h}.${p}`),
      alg.dsa ? { key, dsaEncoding: alg.dsa } : key,
      Buffer.from(s, 'base64url'),
    );
    if (!ok) throw new InvalidTokenError('bad signature');
    const skew = (this.options.clockToleranceSec ?? 30) * 1000;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 + skew < now)
      throw new InvalidTokenError('expired');
    if (typeof claims.nbf === 'number' && claims.nbf * 1000 - skew > now)
      throw new InvalidTokenError('not yet valid');
    if (claims.iss !== this.options.issuer) throw new InvalidTokenError('wrong issuer');
    const aud = claims.aud;
    if (!(aud === this.options.audience || (Array.isArray(aud) && aud.includes(this.options.audience)))) {
      throw new InvalidTokenError('wrong audience');
    }
    const roles = Array.isArray(claims.roles)
      ? claims.roles.filter((r): r is Role => ROLES.includes(r as Role))
      : [];
    if (typeof claims.sub !== 'string' || typeof claims.org !== 'string')
      throw new InvalidTokenError('missing sub or org');
    // An organisation is a uuid; only the platform operator acts for the pseudo-organisation `platform`. Anything
    // else would reach the services' uuid columns and fail there (a 500), so it is refused here.
    const operator = claims.org === 'platform' && roles.includes('platform-operator');
    if (!operator && !ORGANISATION_ID.test(claims.org))
      throw new InvalidTokenError('org is not an organisation id');
    return { subject: claims.sub, organisationId: claims.org, roles };
  }
}

/**
 * A local token issuer (Ed25519) for development, the demonstration and tests: NOT an identity provider.
 * Production verifies tokens of the organisation's identity provider through AUTH_JWKS.
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
