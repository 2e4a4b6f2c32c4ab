import { createHash } from 'node:crypto';

/**
 * Why a bearer token was refused. The guard maps whatever the verifier throws to one of these (see
 * `rejectionReason`), so the access log does not depend on the verifier's wording or library.
 */
export type AuthRejectionReason =
  | 'MALFORMED'
  | 'UNSUPPORTED_ALGORITHM'
  | 'UNKNOWN_KEY'
  | 'BAD_SIGNATURE'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'WRONG_ISSUER'
  | 'WRONG_AUDIENCE'
  | 'MISSING_CLAIMS'
  | 'INVALID_ORGANISATION'
  | 'MISSING_ROLE'
  | 'UNREADABLE';

export const AUTH_REJECTION_REASONS: readonly AuthRejectionReason[] = [
  'MALFORMED',
  'UNSUPPORTED_ALGORITHM',
  'UNKNOWN_KEY',
  'BAD_SIGNATURE',
  'EXPIRED',
  'NOT_YET_VALID',
  'WRONG_ISSUER',
  'WRONG_AUDIENCE',
  'MISSING_CLAIMS',
  'INVALID_ORGANISATION',
  'MISSING_ROLE',
  'UNREADABLE',
];

/**
 * What the guard tells the sink about one bearer token. Never the token itself: `tokenRef` is a SHA-256 of the
 * token's `jti` (or of the whole token when it has none), only set for an accepted token, to record it once.
 * `subject`/`organisationId`/`roles` are only set when the token's signature was good (an accepted token, or one
 * refused for its claims: expired, wrong issuer/audience, missing role…); a forged token's claims are not kept.
 */
export type AuthOutcome =
  | {
      outcome: 'ACCEPTED';
      subject: string;
      organisationId: string;
      roles: string[];
      tokenRef: string;
      ip: string | null;
      userAgent: string | null;
    }
  | {
      outcome: 'REJECTED';
      reason: AuthRejectionReason;
      subject: string | null;
      organisationId: string | null;
      roles: string[];
      ip: string | null;
      userAgent: string | null;
    };

/** Receives every authentication outcome of the global guard (the access log implements it). */
export interface AuthOutcomeSink {
  authenticationOutcome(outcome: AuthOutcome): Promise<void>;
}

/** Provider token of the optional `AuthOutcomeSink` the guard calls (provided globally, e.g. by AccessLogModule). */
export const AUTH_OUTCOME_SINK = Symbol('AUTH_OUTCOME_SINK');

/**
 * Maps a verifier error to a reason. Today's verifier (`InvalidTokenError.reason` strings) and `jose`'s error codes
 * (`ERR_JWT_EXPIRED`, `ERR_JWS_SIGNATURE_VERIFICATION_FAILED`, `ERR_JWT_CLAIM_VALIDATION_FAILED` with `claim`…) both
 * map; anything else is UNREADABLE.
 */
export function rejectionReason(error: unknown): AuthRejectionReason {
  const e = (error ?? {}) as { reason?: unknown; code?: unknown; claim?: unknown };
  switch (typeof e.reason === 'string' ? e.reason : undefined) {
    case 'malformed':
      return 'MALFORMED';
    case 'unsupported algorithm':
      return 'UNSUPPORTED_ALGORITHM';
    case 'unknown key id':
      return 'UNKNOWN_KEY';
    case 'bad signature':
      return 'BAD_SIGNATURE';
    case 'expired':
      return 'EXPIRED';
    case 'not yet valid':
      return 'NOT_YET_VALID';
    case 'wrong issuer':
      return 'WRONG_ISSUER';
    case 'wrong audience':
      return 'WRONG_AUDIENCE';
    case 'missing sub or org':
      return 'MISSING_CLAIMS';
    case 'org is not an organisation id':
      return 'INVALID_ORGANISATION';
    default:
      break;
  }
  switch (typeof e.code === 'string' ? e.code : undefined) {
    case 'ERR_JWT_EXPIRED':
      return 'EXPIRED';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'BAD_SIGNATURE';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'MALFORMED';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'UNSUPPORTED_ALGORITHM';
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'UNKNOWN_KEY';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      switch (e.claim) {
        case 'iss':
          return 'WRONG_ISSUER';
        case 'aud':
          return 'WRONG_AUDIENCE';
        case 'nbf':
        case 'iat':
          return 'NOT_YET_VALID';
        case 'exp':
          return 'EXPIRED';
        default:
          return 'MISSING_CLAIMS';
      }
    default:
      return 'UNREADABLE';
  }
}

/** Reasons given after the signature was verified: the token's claims are then authentic and may be recorded. */
const SIGNED_REASONS = new Set<AuthRejectionReason>([
  'EXPIRED',
  'NOT_YET_VALID',
  'WRONG_ISSUER',
  'WRONG_AUDIENCE',
  'MISSING_CLAIMS',
  'INVALID_ORGANISATION',
  'MISSING_ROLE',
]);

export function claimsAreAuthentic(reason: AuthRejectionReason): boolean {
  return SIGNED_REASONS.has(reason);
}

/** The claims of a compact JWS, unverified (only read once the signature is known to be good). */
export function unverifiedClaims(token: string): Record<string, unknown> {
  try {
    const payload = token.split('.')[1] ?? '';
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** A reference to one token that is not the token: SHA-256 of its `jti` (with issuer), or of the token itself. */
export function tokenRef(token: string, claims: Record<string, unknown> = unverifiedClaims(token)): string {
  const basis =
    typeof claims.jti === 'string' && claims.jti.length > 0
      ? `jti:${typeof claims.iss === 'string' ? claims.iss : ''}:${claims.jti}`
      : `token:${token}`;
  return createHash('sha256').update(basis).digest('base64url');
}
