import { errors, FlattenedJWSInput, JWSHeaderParameters, jwtVerify, KeyLike } from 'jose';
import {
  keyFitsAlgorithm,
  TOKEN_ALGORITHMS,
  TokenAlgorithm,
  TokenKeySource,
  TokenKeysUnavailableError,
} from './token-keys';

/**
 * Roles a token may carry. `platform-operator` is the DIV-it platform's own operator (not a tenant): only it may do
 * platform-wide things (see ./README.md). Every other role acts for the token's organisation (`org`) only;
 * `admin` is that organisation's administrator. `fund-chair` (decides guarantee-fund claims, the chair of the
 * Woonkans consultation) and `fund-cashier` (the fund's cashier: calls contributions, books receipts, pays approved
 * claims) act for the organisation that holds a guarantee fund (billing-reconciliation, ADR 0029).
 */
export type Role =
  | 'admin'
  | 'allocation-system'
  | 'auditor'
  | 'coordinator'
  | 'dossier-import'
  | 'finance'
  | 'fund-cashier'
  | 'fund-chair'
  | 'member'
  | 'platform-operator';
export const ROLES: readonly Role[] = [
  'admin',
  'allocation-system',
  'auditor',
  'coordinator',
  'dossier-import',
  'finance',
  'fund-cashier',
  'fund-chair',
  'member',
  'platform-operator',
];

/**
 * The migration supplier's role (Wonen-Vlaanderen protocol, seed 004: the software supplier sends dossiers through
 * the import API, temporarily): the dossier import and its load's status only, and only inside the configured
 * migration window (registration's MIGRATION_WINDOW_START/END). No other route accepts it.
 */
export const MIGRATION_SUPPLIER_ROLE: Role = 'dossier-import';

/** Every role of a platform user or system, without the migration supplier's (routes open to "anyone signed in"). */
export const PLATFORM_USER_ROLES: readonly Role[] = ROLES.filter((r) => r !== MIGRATION_SUPPLIER_ROLE);

/** The authenticated caller: a user or system acting for one organisation. */
export interface Principal {
  subject: string;
  organisationId: string;
  roles: Role[];
}

/**
 * Why a bearer token was refused. Stable codes: the access log records them, and the guard answers 401 with
 * {@link TokenRejected.detail}.
 */
export type TokenRejectionReason =
  | 'malformed'
  | 'algorithm-not-allowed'
  | 'unknown-key'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-issuer'
  | 'wrong-audience'
  /** A required claim is missing, or `sub`/`org`/`roles` do not have the platform's shape. */
  | 'invalid-claims';

export const TOKEN_REJECTION_REASONS: readonly TokenRejectionReason[] = [
  'malformed',
  'algorithm-not-allowed',
  'unknown-key',
  'bad-signature',
  'expired',
  'not-yet-valid',
  'wrong-issuer',
  'wrong-audience',
  'invalid-claims',
];

/** A bearer token that does not verify; `reason` is the code, `detail` the text the 401 answer carries. */
export class TokenRejected extends Error {
  constructor(
    readonly reason: TokenRejectionReason,
    readonly detail: string = DETAILS[reason],
  ) {
    super(`invalid bearer token: ${detail}`);
    this.name = 'TokenRejected';
  }
}

const DETAILS: Record<TokenRejectionReason, string> = {
  malformed: 'malformed',
  'algorithm-not-allowed': 'algorithm not allowed',
  'unknown-key': 'unknown key id',
  'bad-signature': 'bad signature',
  expired: 'expired',
  'not-yet-valid': 'not yet valid',
  'wrong-issuer': 'wrong issuer',
  'wrong-audience': 'wrong audience',
  'invalid-claims': 'invalid claims',
};

export interface JwtVerifierOptions {
  /** The identity provider's public keys: {@link staticKeySource} or a {@link RemoteKeySource}. */
  keys: TokenKeySource;
  issuer: string;
  audience: string;
  /** Algorithms accepted (default all of {@link TOKEN_ALGORITHMS}); each is pinned to its key type. */
  algorithms?: readonly TokenAlgorithm[];
  /** Allowed clock skew in seconds for `exp` and `nbf` (default 30). */
  clockToleranceSec?: number;
  /** Claims a token must carry besides `exp`, `iss`, `aud`, `sub` and `org` (e.g. `iat`, `jti`). */
  requiredClaims?: readonly string[];
}

/** The {@link TokenRejected.detail} of an `invalid-claims` refusal whose `org` is not an organisation id. */
export const ORGANISATION_NOT_AN_ID = 'org is not an organisation id';

const ORGANISATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ALWAYS_REQUIRED = ['exp', 'sub', 'org'];

/**
 * Verifies compact JWS bearer tokens with jose: the algorithm is one of the allowed ones (never `none`, never HS*)
 * and the key that verifies it is of that algorithm's type; then issuer, audience, `exp`/`nbf` with the clock
 * tolerance and the required claims; then the platform's own claims (`org` an organisation id, known `roles`).
 * Every refusal is a {@link TokenRejected} with its reason; a key source that cannot be read is a
 * {@link TokenKeysUnavailableError} (no verdict on the token).
 */
export class JwtVerifier {
  private readonly algorithms: TokenAlgorithm[];
  private readonly requiredClaims: string[];
  private readonly perRequest = new WeakMap<object, { token: string; principal: Promise<Principal> }>();

  constructor(private readonly options: JwtVerifierOptions) {
    this.algorithms = [...(options.algorithms ?? TOKEN_ALGORITHMS)];
    for (const alg of this.algorithms)
      if (!(TOKEN_ALGORITHMS as readonly string[]).includes(alg))
        throw new Error(`algorithm ${String(alg)} is not allowed for bearer tokens`);
    if (this.algorithms.length === 0) throw new Error('at least one token algorithm must be allowed');
    this.requiredClaims = [...new Set([...ALWAYS_REQUIRED, ...(options.requiredClaims ?? [])])];
  }

  get keySource(): TokenKeySource {
    return this.options.keys;
  }

  async verify(token: string, now = Date.now()): Promise<Principal> {
    let claims: Record<string, unknown>;
    try {
      const result = await jwtVerify(token, (header, jws) => this.keyFor(header, jws), {
        algorithms: this.algorithms,
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSec ?? 30,
        currentDate: new Date(now),
        requiredClaims: this.requiredClaims,
      });
      claims = result.payload;
    } catch (error) {
      throw rejection(error);
    }
    return principalOf(claims);
  }

  /**
   * The verdict for one request's token, computed once: the rate limiter and the guard both ask, and the token is
   * verified (and a key fetch triggered) only once.
   */
  verifyOnce(request: object, token: string): Promise<Principal> {
    const known = this.perRequest.get(request);
    if (known?.token === token) return known.principal;
    const principal = this.verify(token);
    // The rate limiter may ask without awaiting a rejection; the guard awaits the same promise.
    principal.catch(() => undefined);
    this.perRequest.set(request, { token, principal });
    return principal;
  }

  private async keyFor(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<KeyLike> {
    let key: KeyLike;
    try {
      key = await this.options.keys.key(header, token);
    } catch (error) {
      // A key with this id exists, but not of the type the token's algorithm needs.
      if (error instanceof errors.JWKSNoMatchingKey && this.options.keys.knows(header.kid))
        throw new TokenRejected(
          'algorithm-not-allowed',
          `algorithm ${header.alg} does not fit the key's type`,
        );
      throw error;
    }
    if (!keyFitsAlgorithm(header.alg ?? '', key))
      throw new TokenRejected('algorithm-not-allowed', `algorithm ${header.alg} does not fit the key's type`);
    return key;
  }
}

function rejection(error: unknown): Error {
  if (error instanceof TokenRejected || error instanceof TokenKeysUnavailableError) return error;
  if (error instanceof errors.JWTExpired) return new TokenRejected('expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'nbf':
        return new TokenRejected('not-yet-valid');
      case 'iss':
        return new TokenRejected('wrong-issuer');
      case 'aud':
        return new TokenRejected('wrong-audience');
      default:
        return new TokenRejected(
          'invalid-claims',
          error.reason === 'missing' ? `missing ${error.claim} claim` : `invalid ${error.claim} claim`,
        );
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return new TokenRejected('algorithm-not-allowed');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new TokenRejected('bad-signature');
  if (error instanceof errors.JWKSNoMatchingKey) return new TokenRejected('unknown-key');
  if (error instanceof errors.JWKSMultipleMatchingKeys)
    return new TokenRejected('unknown-key', 'ambiguous key');
  return new TokenRejected('malformed');
}

function principalOf(claims: Record<string, unknown>): Principal {
  const roles = Array.isArray(claims.roles)
    ? claims.roles.filter((r): r is Role => ROLES.includes(r as Role))
    : [];
  if (typeof claims.sub !== 'string' || typeof claims.org !== 'string')
    throw new TokenRejected('invalid-claims', 'missing sub or org');
  // An organisation is a uuid; only the platform operator acts for the pseudo-organisation `platform`. Anything
  // else would reach the services' uuid columns and fail there (a 500), so it is refused here.
  const operator = claims.org === 'platform' && roles.includes('platform-operator');
  if (!operator && !ORGANISATION_ID.test(claims.org))
    throw new TokenRejected('invalid-claims', ORGANISATION_NOT_AN_ID);
  return { subject: claims.sub, organisationId: claims.org, roles };
}
