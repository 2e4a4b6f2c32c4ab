import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, registerErrorStatuses } from '../domain-error';
import { PUBLIC_KEY, ROLES_KEY } from './auth.decorators';
import { JwtVerifier, Principal, Role, TokenRejected, TokenRejectionReason } from './jwt';
import { TokenKeysUnavailableError } from './token-keys';
import { REVOCATION_CHECK, RevocationCheck } from './revocation';
import {
  AUTH_OUTCOME_SINK,
  AuthOutcomeSink,
  AuthRejectionReason,
  claimsAreAuthentic,
  rejectionReason,
  tokenRef,
  unverifiedClaims,
} from './auth-outcome';

interface GuardedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
  ip?: string;
}

export type AuthErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN_ROLE' | 'AUTHENTICATION_UNAVAILABLE';
registerErrorStatuses({
  UNAUTHENTICATED: 401,
  FORBIDDEN_ROLE: 403,
  AUTHENTICATION_UNAVAILABLE: 503,
} satisfies Record<AuthErrorCode, number>);

export class AuthError extends DomainError<AuthErrorCode> {
  /** Why the bearer token was refused (UNAUTHENTICATED of a token that did not verify), for the access log. */
  readonly tokenRejection?: TokenRejectionReason;

  constructor(code: AuthErrorCode, message: string, options: { rejection?: TokenRejected } = {}) {
    super(code, message);
    if (options.rejection) {
      this.tokenRejection = options.rejection.reason;
      this.cause = options.rejection;
    }
  }
}

export const JWT_VERIFIER = Symbol('JWT_VERIFIER');

/** The bearer token of an Authorization header, or undefined when there is none in the expected form. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(header ?? '')?.[1];
}

/**
 * Global guard: every route needs a valid bearer token unless marked @Public(); @Roles narrows further.
 * Authorisation by organisation (which registrations a caller may see) is the services' job, using
 * `principal.organisationId`. A refused token answers 401 UNAUTHENTICATED with the reason in the detail (and as
 * {@link AuthError.tokenRejection}); when the identity provider's keys cannot be read at all, 503
 * AUTHENTICATION_UNAVAILABLE (the token may well be valid).
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(JWT_VERIFIER) private readonly verifier: JwtVerifier,
    @Optional() @Inject(AUTH_OUTCOME_SINK) private readonly sink?: AuthOutcomeSink,
    @Optional() @Inject(REVOCATION_CHECK) private readonly revocations?: RevocationCheck,
  ) {}

  /**
   * Every presented bearer token's outcome goes to the `AuthOutcomeSink` (the access log) when one is provided:
   * accepted (the sink records it once per token) or rejected with its reason (the verifier's typed
   * {@link TokenRejected.reason}, mapped by `rejectionReason`). A request without an Authorization header presents
   * no token and is not recorded; nor is a 503 when the identity provider's keys cannot be read (no verdict on the
   * token).
   */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const raw = request.headers.authorization;
    if (raw === undefined) throw new AuthError('UNAUTHENTICATED', 'A bearer token is required.');
    const token = bearerToken(Array.isArray(raw) ? raw.join(',') : raw);
    if (!token) {
      await this.rejected(request, 'MALFORMED', null);
      throw new AuthError('UNAUTHENTICATED', 'A bearer token is required.');
    }
    try {
      request.principal = await this.verifier.verifyOnce(request, token);
    } catch (error) {
      if (error instanceof TokenKeysUnavailableError)
        throw new AuthError(
          'AUTHENTICATION_UNAVAILABLE',
          "The identity provider's keys cannot be read at the moment; retry later.",
        );
      await this.rejected(request, rejectionReason(error), token);
      if (error instanceof TokenRejected)
        throw new AuthError('UNAUTHENTICATED', `Invalid bearer token: ${error.detail}.`, {
          rejection: error,
        });
      throw error;
    }
    // A good token of a suspended user, client or organisation (docs/adr/0030): refused like an invalid one.
    const revoked = this.revocations?.refusal(unverifiedClaims(token));
    if (revoked) {
      await this.rejected(request, 'REVOKED', token);
      throw new AuthError(
        'UNAUTHENTICATED',
        `Invalid bearer token: access of this ${revoked.scope.toLowerCase()} is suspended.`,
      );
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.some((r) => request.principal?.roles.includes(r))) {
      await this.rejected(request, 'MISSING_ROLE', token);
      throw new AuthError('FORBIDDEN_ROLE', `This operation needs one of the roles: ${roles.join(', ')}.`);
    }
    if (this.sink) {
      const principal = request.principal;
      await this.sink.authenticationOutcome({
        outcome: 'ACCEPTED',
        subject: principal.subject,
        organisationId: principal.organisationId,
        roles: principal.roles,
        tokenRef: tokenRef(token),
        ...origin(request),
      });
    }
    return true;
  }

  /** Records a refusal; a failing sink never turns the 401/403 into something else. */
  private async rejected(
    request: GuardedRequest,
    reason: AuthRejectionReason,
    token: string | null,
  ): Promise<void> {
    if (!this.sink) return;
    const claims = token && claimsAreAuthentic(reason) ? unverifiedClaims(token) : {};
    try {
      await this.sink.authenticationOutcome({
        outcome: 'REJECTED',
        reason,
        subject: typeof claims.sub === 'string' ? claims.sub : null,
        organisationId: typeof claims.org === 'string' ? claims.org : null,
        roles: Array.isArray(claims.roles)
          ? claims.roles.filter((r): r is string => typeof r === 'string')
          : [],
        ...origin(request),
      });
    } catch {
      // The sink logs its own failures; the caller still gets the refusal.
    }
  }
}

function origin(request: GuardedRequest): { ip: string | null; userAgent: string | null } {
  const ua = request.headers['user-agent'];
  return { ip: request.ip ?? null, userAgent: typeof ua === 'string' ? ua : null };
}
