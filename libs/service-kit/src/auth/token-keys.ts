import { KeyObject } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  FlattenedJWSInput,
  JSONWebKeySet,
  JWK,
  JWSHeaderParameters,
  KeyLike,
} from 'jose';
import { createLogger } from '@divit/observability';

/**
 * Where the public keys of the identity provider come from. `key` resolves the key for a token's protected header
 * (jose's key-resolver contract); `knows` says whether a key id is in the current key set (to tell an unknown key
 * from a known key used with the wrong algorithm).
 */
export interface TokenKeySource {
  readonly kind: 'static' | 'remote';
  key(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<KeyLike>;
  knows(kid: string | undefined): boolean;
}

/** The key source could not be read (identity provider unreachable, bad answer): no verdict on the token. */
export class TokenKeysUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenKeysUnavailableError';
  }
}

/** Public keys only: a private or symmetric key in a JWKS is a configuration mistake (and HS* is never allowed). */
export function assertPublicJwks(jwks: unknown): JSONWebKeySet {
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray((jwks as { keys?: unknown }).keys))
    throw new Error('the JWKS must be a JSON object with a "keys" array');
  const keys = (jwks as { keys: unknown[] }).keys;
  for (const key of keys) {
    if (typeof key !== 'object' || key === null) throw new Error('every JWKS entry must be a JSON object');
    const jwk = key as JWK;
    if (jwk.kty === 'oct') throw new Error('the JWKS must not hold symmetric (oct) keys');
    if ('d' in jwk && jwk.d !== undefined) throw new Error('the JWKS must contain public keys only');
  }
  return { keys: keys as JWK[] };
}

/** A fixed key set (AUTH_JWKS or AUTH_JWKS_FILE, read once at start). */
export function staticKeySource(jwks: unknown): TokenKeySource {
  const set = assertPublicJwks(jwks);
  if (set.keys.length === 0) throw new Error('the JWKS has no keys');
  const local = createLocalJWKSet(set);
  const kids = new Set(set.keys.map((k) => k.kid));
  return {
    kind: 'static',
    key: (header, token) => local(header, token),
    knows: (kid) => kids.has(kid),
  };
}

export interface RemoteKeySourceOptions {
  /** The JWKS URL itself (AUTH_JWKS_URL)… */
  jwksUrl?: string;
  /** …or the issuer whose OIDC discovery document names it (`<issuer>/.well-known/openid-configuration`). */
  discoveryIssuer?: string;
  /** Longest time a fetched key set is used before it is fetched again (ms). */
  cacheMaxAgeMs: number;
  /** After a fetch, a token with an unknown `kid` triggers no new fetch for this long (ms). */
  cooldownMs: number;
  /** Timeout of one HTTP request for the discovery document or the key set (ms). */
  timeoutMs: number;
}

type RemoteSet = ReturnType<typeof createRemoteJWKSet>;

/** Errors of key selection in a key set that was read; anything else from the remote set is a failed fetch. */
const SELECTION_ERRORS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSENotSupported];

/**
 * A key set fetched over HTTP(S), from an explicit URL or through OIDC discovery, with jose's cache: fetched on first
 * use, again after `cacheMaxAgeMs`, and at once when a token names a `kid` the set does not hold (at most once per
 * `cooldownMs`, so a stream of made-up key ids cannot hammer the identity provider; concurrent fetches are shared).
 * A rotated-in key is therefore found on its first token, and a removed key stops verifying at the next fetch.
 * When a refresh fails, the last key set read stays in use (logged) until a fetch succeeds; with no key set at all
 * the error is {@link TokenKeysUnavailableError}.
 */
export class RemoteKeySource implements TokenKeySource {
  readonly kind = 'remote' as const;
  private readonly logger = createLogger('TokenKeys');
  private set?: RemoteSet;
  private discovering?: Promise<RemoteSet>;
  private discoveryFailedAt = 0;
  private failing = false;

  constructor(private readonly options: RemoteKeySourceOptions) {
    if (!options.jwksUrl === !options.discoveryIssuer)
      throw new Error('a remote key source needs exactly one of jwksUrl and discoveryIssuer');
    if (options.jwksUrl) this.set = this.remote(new URL(options.jwksUrl));
  }

  async key(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<KeyLike> {
    const set = await this.remoteSet();
    try {
      const key = await set(header, token);
      this.recovered();
      return key;
    } catch (error) {
      if (SELECTION_ERRORS.some((type) => error instanceof type)) {
        this.recovered();
        throw error;
      }
      const last = set.jwks();
      const reason = error instanceof Error ? error.message : String(error);
      if (!last)
        throw new TokenKeysUnavailableError(`the identity provider's keys could not be read: ${reason}`);
      if (!this.failing) {
        this.failing = true;
        this.logger.warn('refreshing the token keys failed; the last key set read stays in use', { reason });
      }
      return createLocalJWKSet(last)(header, token);
    }
  }

  knows(kid: string | undefined): boolean {
    return this.set?.jwks()?.keys.some((k) => k.kid === kid) ?? false;
  }

  /** Reads the key set now (at start, so the first request does not wait); failures are for the caller to log. */
  async warm(): Promise<void> {
    const set = await this.remoteSet();
    if (!set.jwks()) await set.reload();
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.info('token keys read again');
  }

  private remote(url: URL): RemoteSet {
    return createRemoteJWKSet(url, {
      cacheMaxAge: this.options.cacheMaxAgeMs,
      cooldownDuration: this.options.cooldownMs,
      timeoutDuration: this.options.timeoutMs,
    });
  }

  private async remoteSet(): Promise<RemoteSet> {
    if (this.set) return this.set;
    if (!this.discovering) {
      if (Date.now() - this.discoveryFailedAt < this.options.cooldownMs)
        throw new TokenKeysUnavailableError('OIDC discovery failed recently; retrying after the cooldown');
      this.discovering = this.discover().then(
        (url) => {
          this.set = this.remote(url);
          this.discovering = undefined;
          return this.set;
        },
        (error: unknown) => {
          this.discovering = undefined;
          this.discoveryFailedAt = Date.now();
          throw new TokenKeysUnavailableError(
            `OIDC discovery failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        },
      );
    }
    return this.discovering;
  }

  /** `<issuer>/.well-known/openid-configuration` → `jwks_uri`; the document must name the same issuer (OIDC §4.3). */
  private async discover(): Promise<URL> {
    const issuer = this.options.discoveryIssuer ?? '';
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const response = await fetch(url, {
      signal: AbortSignal.timeout(this.options.timeoutMs),
      headers: { accept: 'application/json' },
    });
    if (response.status !== 200) throw new Error(`the discovery document answered ${response.status}`);
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (document.issuer !== issuer) throw new Error('the discovery document names another issuer');
    if (typeof document.jwks_uri !== 'string') throw new Error('the discovery document has no jwks_uri');
    const jwksUri = new URL(document.jwks_uri);
    if (jwksUri.protocol !== 'https:' && new URL(issuer).protocol === 'https:')
      throw new Error('the discovery document names a jwks_uri that is not https');
    this.logger.info('OIDC discovery done', { jwksUri: jwksUri.href });
    return jwksUri;
  }
}

/** The algorithms a token may use, each pinned to the one key type that may verify it. */
export const TOKEN_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type TokenAlgorithm = (typeof TOKEN_ALGORITHMS)[number];

/** Whether `key` is of the type `alg` is pinned to: RSA for RS256/PS256, EC P-256 for ES256, Ed25519 for EdDSA. */
export function keyFitsAlgorithm(alg: string, key: KeyLike | Uint8Array): boolean {
  if (!(key instanceof KeyObject) || key.type !== 'public') return false;
  switch (alg) {
    case 'RS256':
    case 'PS256':
      return key.asymmetricKeyType === 'rsa' || (alg === 'PS256' && key.asymmetricKeyType === 'rsa-pss');
    case 'ES256':
      return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
    case 'EdDSA':
      return key.asymmetricKeyType === 'ed25519';
    default:
      return false;
  }
}
