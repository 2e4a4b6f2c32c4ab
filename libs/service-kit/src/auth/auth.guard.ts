import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, registerErrorStatuses } from '../domain-error';
import { PUBLIC_KEY, ROLES_KEY } from './auth.decorators';
import { InvalidTokenError, JwtVerifier, Principal, Role } from './jwt';

export type AuthErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN_ROLE';
registerErrorStatuses({ UNAUTHENTICATED: 401, FORBIDDEN_ROLE: 403 } satisfies Record<AuthErrorCode, number>);

export class AuthError extends DomainError<AuthErrorCode> {}

export const JWT_VERIFIER = Symbol('JWT_VERIFIER');

/**
 * Global guard: every route needs a valid bearer token unless marked @Public(); @Roles narrows further.
 * Authorisation by organisation (which registrations a caller may see) is the services' job, using
 * `principal.organisationId`.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(JWT_VERIFIER) private readonly verifier: JwtVerifier,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; principal?: Principal }>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(header);
    if (!match?.[1]) throw new AuthError('UNAUTHENTICATED', 'A bearer token is required.');
    try {
      request.principal = this.verifier.verify(match[1]);
    } catch (error) {
      throw new AuthError(
        'UNAUTHENTICATED',
        `Invalid bearer token: ${error instanceof InvalidTokenError ? error.reason : 'unreadable'}.`,
      );
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.some((r) => request.principal?.roles.includes(r))) {
      throw new AuthError('FORBIDDEN_ROLE', `This operation needs one of the roles: ${roles.join(', ')}.`);
    }
    return true;
  }
}
