import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { Principal, Role } from './jwt';

export const ROLES_KEY = 'divit:roles';
export const PUBLIC_KEY = 'divit:public';

/**
 * Only callers holding one of these roles may call the handler (or every handler of the class). The OpenAPI
 * document lists them as `x-roles` with a 403 response (a handler's roles take precedence, as in the guard).
 */
export const Roles = (...roles: Role[]) =>
  applyDecorators(SetMetadata(ROLES_KEY, roles), ApiExtension('x-roles', roles));

/** No authentication (health endpoints, public keys); the OpenAPI document gives it an empty `security`. */
export const Public = () =>
  applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiExtension('x-divit-public', true));

/** The authenticated caller, set by the global guard. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<{ principal?: Principal }>();
  if (!request.principal) throw new Error('no principal on the request: is the route @Public()?');
  return request.principal;
});
