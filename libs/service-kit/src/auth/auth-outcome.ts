import { createHash } from 'node:crypto';
import { ORGANISATION_NOT_AN_ID, TokenRejected, TokenRejectionReason } from './jwt';

/**
 * Why a bearer token was refused, as the access log records it. The guard maps the verifier's typed
 * `TokenRejected.reason` to one of these (see `rejectionReason`), so the stored codes stay stable whatever the
 * verifier library.
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
  /** A good token of a suspended user, client or organisation (docs/adr/0030). */
  | 'REVOKED'
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
  'REVOKED',
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

const FROM_TOKEN_REJECTION: Record<TokenRejectionReason, AuthRejectionReason> = {
  malformed: 'MALFORMED',
  'algorithm-not-allowed': 'UNSUPPORTED_ALGORITHM',
  'unknown-key': 'UNKNOWN_KEY',
  'bad-signature': 'BAD_SIGNATURE',
  expired: 'EXPIRED',
  'not-yet-valid': 'NOT_YET_VALID',
  'wrong-issuer': 'WRONG_ISSUER',
  'wrong-audience': 'WRONG_AUDIENCE',
  'invalid-claims': 'MISSING_CLAIMS',
};

/**
 * Maps a verifier error to a reason: the typed {@link TokenRejected.reason} (ADR 0021). `invalid-claims` is
 * MISSING_CLAIMS, except the one refusal of an `org` that is not an organisation id (INVALID_ORGANISATION, told by
 * its fixed detail {@link ORGANISATION_NOT_AN_ID}). Anything that is not a TokenRejected is UNREADABLE.
 */
export function rejectionReason(error: unknown): AuthRejectionReason {
  if (!(error instanceof TokenRejected)) return 'UNREADABLE';
  if (error.reason === 'invalid-claims' && error.detail === ORGANISATION_NOT_AN_ID)
    return 'INVALID_ORGANISATION';
  return FROM_TOKEN_REJECTION[error.reason] ?? 'UNREADABLE';
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
  'REVOKED',
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
