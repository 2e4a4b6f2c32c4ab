import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, registerErrorStatuses } from '../domain-error';
import { PUBLIC_KEY, ROLES_KEY } from './auth.decorators';
import { JwtVerifier, Principal, Role, TokenRejected, TokenRejectionReason } from './jwt';
import { TokenKeysUnavailableError } from './token-keys';

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
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; principal?: Principal }>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new AuthError('UNAUTHENTICATED', 'A bearer token is required.');
    try {
      request.principal = await this.verifier.verifyOnce(request, token);
    } catch (error) {
      if (error instanceof TokenKeysUnavailableError)
        throw new AuthError(
          'AUTHENTICATION_UNAVAILABLE',
          "The identity provider's keys cannot be read at the moment; retry later.",
        );
      if (error instanceof TokenRejected)
        throw new AuthError('UNAUTHENTICATED', `Invalid bearer token: ${error.detail}.`, {
          rejection: error,
        });
      throw error;
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.some((r) => request.principal?.roles.includes(r))) {
      throw new AuthError('FORBIDDEN_ROLE', `This operation needs one of the roles: ${roles.join(', ')}.`);
    }
    return true;
  }
}
