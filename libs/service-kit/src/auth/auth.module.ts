import { readFileSync } from 'node:fs';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtAuthGuard, JWT_VERIFIER } from './auth.guard';
import { JwtVerifier, JwtVerifierOptions } from './jwt';

export interface AuthSettings {
  /** JWKS JSON (public keys) inline… */
  jwks?: string;
  /** …or a file holding it. */
  jwksFile?: string;
  issuer: string;
  audience: string;
}

export function jwtVerifierOptions(settings: AuthSettings): JwtVerifierOptions {
  const raw = settings.jwks ?? (settings.jwksFile ? readFileSync(settings.jwksFile, 'utf8') : undefined);
  if (!raw) throw new Error('authentication needs AUTH_JWKS or AUTH_JWKS_FILE');
  return {
    jwks: JSON.parse(raw) as JwtVerifierOptions['jwks'],
    issuer: settings.issuer,
    audience: settings.audience,
  };
}

/** Registers the global JWT guard. */
@Module({})
export class AuthModule {
  static forRoot(settings: AuthSettings): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        { provide: JWT_VERIFIER, useFactory: () => new JwtVerifier(jwtVerifierOptions(settings)) },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
      ],
      exports: [JWT_VERIFIER],
    };
  }
}
