import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { statusFor } from '../domain-error';
import { ROLES_KEY } from './auth.decorators';
import { AuthError, JwtAuthGuard } from './auth.guard';
import { JwtVerifier, Role } from './jwt';
import { LocalTokenIssuer } from './local-token-issuer';
import { RemoteKeySource, staticKeySource } from './token-keys';

const ORG = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';

function handlerWith(roles?: Role[]): () => void {
  const handler = () => undefined;
  if (roles) Reflect.defineMetadata(ROLES_KEY, roles, handler);
  return handler;
}

function contextFor(authorization: string | undefined, roles?: Role[]): ExecutionContext {
  const request = { headers: { authorization } };
  const handler = handlerWith(roles);
  return {
    getHandler: () => handler,
    getClass: () => class {},
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

async function refusal(guard: JwtAuthGuard, context: ExecutionContext): Promise<AuthError> {
  try {
    await guard.canActivate(context);
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
  throw new Error('the guard let the request through');
}

describe('JwtAuthGuard', () => {
  const issuer = new LocalTokenIssuer();
  const verifier = new JwtVerifier({
    keys: staticKeySource(issuer.jwks),
    issuer: 'divit-local',
    audience: 'divit',
  });
  const guard = new JwtAuthGuard(new Reflector(), verifier);

  it('lets a valid token through and sets the principal', async () => {
    const context = contextFor(
      `Bearer ${issuer.sign({ subject: 's', organisationId: ORG, roles: ['admin'] })}`,
    );
    expect(await guard.canActivate(context)).toBe(true);
    expect(context.switchToHttp().getRequest<{ principal: unknown }>().principal).toEqual({
      subject: 's',
      organisationId: ORG,
      roles: ['admin'],
    });
  });

  it('answers 401 with the reason text, and exposes the reason code for the access log', async () => {
    const expired = issuer.sign({ subject: 's', organisationId: ORG, roles: ['admin'] }, -120);
    const error = await refusal(guard, contextFor(`Bearer ${expired}`));
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(statusFor(error.code)).toBe(401);
    expect(error.message).toBe('Invalid bearer token: expired.');
    expect(error.tokenRejection).toBe('expired');

    const foreign = new LocalTokenIssuer().sign({ subject: 's', organisationId: ORG, roles: ['admin'] });
    expect(await refusal(guard, contextFor(`Bearer ${foreign}`))).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'Invalid bearer token: unknown key id.',
      tokenRejection: 'unknown-key',
    });
  });

  it('answers 401 without a rejection reason when there is no bearer token', async () => {
    const error = await refusal(guard, contextFor(undefined));
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(error.message).toBe('A bearer token is required.');
    expect(error.tokenRejection).toBeUndefined();
  });

  it('answers 403 when the token lacks every role of the operation', async () => {
    const member = issuer.sign({ subject: 's', organisationId: ORG, roles: ['member'] });
    const error = await refusal(guard, contextFor(`Bearer ${member}`, ['admin', 'auditor']));
    expect(error.code).toBe('FORBIDDEN_ROLE');
    expect(statusFor(error.code)).toBe(403);
  });

  it('answers 503 when the key URL cannot be read at all (the token may be valid)', async () => {
    const unreachable = new JwtVerifier({
      keys: new RemoteKeySource({
        jwksUrl: 'http://127.0.0.1:9/jwks.json',
        cacheMaxAgeMs: 60_000,
        cooldownMs: 0,
        timeoutMs: 1000,
      }),
      issuer: 'divit-local',
      audience: 'divit',
    });
    const token = issuer.sign({ subject: 's', organisationId: ORG, roles: ['admin'] });
    const error = await refusal(
      new JwtAuthGuard(new Reflector(), unreachable),
      contextFor(`Bearer ${token}`),
    );
    expect(error.code).toBe('AUTHENTICATION_UNAVAILABLE');
    expect(statusFor(error.code)).toBe(503);
    expect(error.tokenRejection).toBeUndefined();
  });
});
