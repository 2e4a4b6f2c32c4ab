import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { Principal, Role } from './jwt';

export const ROLES_KEY = 'divit:roles';
export const PUBLIC_KEY = 'divit:public';

/** Only callers holding one of these roles may call the handler (or every handler of the class). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** No authentication (health endpoints, public keys). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The authenticated caller, set by the global guard. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<{ principal?: Principal }>();
  if (!request.principal) throw new Error('no principal on the request: is the route @Public()?');
  return request.principal;
});
