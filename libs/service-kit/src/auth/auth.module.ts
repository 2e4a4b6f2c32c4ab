import { readFileSync } from 'node:fs';
import { DynamicModule, Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { createLogger } from '@divit/observability';
import { JwtAuthGuard, JWT_VERIFIER } from './auth.guard';
import { JwtVerifier, JwtVerifierOptions } from './jwt';
import { RemoteKeySource, staticKeySource, TokenAlgorithm, TokenKeySource } from './token-keys';

export interface AuthSettings {
  /** JWKS JSON (public keys) inline… */
  jwks?: string;
  /** …or a file holding it (read once at start)… */
  jwksFile?: string;
  /** …or the URL of the identity provider's JWKS (fetched, cached, refreshed on rotation)… */
  jwksUrl?: string;
  /** …or OIDC discovery from the issuer: `<issuer>/.well-known/openid-configuration` → `jwks_uri`. */
  oidcDiscovery?: boolean;
  issuer: string;
  audience: string;
  algorithms?: readonly TokenAlgorithm[];
  clockToleranceSec?: number;
  requiredClaims?: readonly string[];
  jwksCacheMaxAgeSec?: number;
  jwksCooldownSec?: number;
  jwksTimeoutMs?: number;
}

/** The authentication keys of platformConfigShape (libs/config) that {@link authSettings} reads. */
export interface AuthConfig {
  AUTH_JWKS?: string;
  AUTH_JWKS_FILE?: string;
  AUTH_JWKS_URL?: string;
  AUTH_OIDC_DISCOVERY: boolean;
  AUTH_ISSUER: string;
  AUTH_AUDIENCE: string;
  AUTH_ALGORITHMS: readonly TokenAlgorithm[];
  AUTH_CLOCK_TOLERANCE_SEC: number;
  AUTH_REQUIRED_CLAIMS: readonly string[];
  AUTH_JWKS_CACHE_MAX_AGE_SEC: number;
  AUTH_JWKS_COOLDOWN_SEC: number;
  AUTH_JWKS_TIMEOUT_MS: number;
}

/** A service's authentication settings from its parsed configuration. */
export function authSettings(config: AuthConfig): AuthSettings {
  return {
    ...(config.AUTH_JWKS ? { jwks: config.AUTH_JWKS } : {}),
    ...(config.AUTH_JWKS_FILE ? { jwksFile: config.AUTH_JWKS_FILE } : {}),
    ...(config.AUTH_JWKS_URL ? { jwksUrl: config.AUTH_JWKS_URL } : {}),
    oidcDiscovery: config.AUTH_OIDC_DISCOVERY,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    algorithms: config.AUTH_ALGORITHMS,
    clockToleranceSec: config.AUTH_CLOCK_TOLERANCE_SEC,
    requiredClaims: config.AUTH_REQUIRED_CLAIMS,
    jwksCacheMaxAgeSec: config.AUTH_JWKS_CACHE_MAX_AGE_SEC,
    jwksCooldownSec: config.AUTH_JWKS_COOLDOWN_SEC,
    jwksTimeoutMs: config.AUTH_JWKS_TIMEOUT_MS,
  };
}

/** The key source the settings name; exactly one of inline JWKS, file, URL and OIDC discovery. */
export function tokenKeySource(settings: AuthSettings): TokenKeySource {
  const named = [
    settings.jwks,
    settings.jwksFile,
    settings.jwksUrl,
    settings.oidcDiscovery || undefined,
  ].filter((s) => s !== undefined);
  if (named.length !== 1)
    throw new Error(
      'authentication needs exactly one of AUTH_JWKS, AUTH_JWKS_FILE, AUTH_JWKS_URL and AUTH_OIDC_DISCOVERY=true',
    );
  if (settings.jwksUrl || settings.oidcDiscovery)
    return new RemoteKeySource({
      ...(settings.jwksUrl ? { jwksUrl: settings.jwksUrl } : { discoveryIssuer: settings.issuer }),
      cacheMaxAgeMs: (settings.jwksCacheMaxAgeSec ?? 600) * 1000,
      cooldownMs: (settings.jwksCooldownSec ?? 30) * 1000,
      timeoutMs: settings.jwksTimeoutMs ?? 5000,
    });
  const raw = settings.jwks ?? readFileSync(settings.jwksFile ?? '', 'utf8');
  return staticKeySource(JSON.parse(raw) as unknown);
}

export function jwtVerifierOptions(settings: AuthSettings): JwtVerifierOptions {
  return {
    keys: tokenKeySource(settings),
    issuer: settings.issuer,
    audience: settings.audience,
    ...(settings.algorithms ? { algorithms: settings.algorithms } : {}),
    ...(settings.clockToleranceSec !== undefined ? { clockToleranceSec: settings.clockToleranceSec } : {}),
    ...(settings.requiredClaims ? { requiredClaims: settings.requiredClaims } : {}),
  };
}

/** Reads a remote key set once at start, so the first request does not wait for it; a failure is only logged. */
@Injectable()
class TokenKeysWarmup implements OnApplicationBootstrap {
  private readonly logger = createLogger('TokenKeys');

  constructor(@Inject(JWT_VERIFIER) private readonly verifier: JwtVerifier) {}

  onApplicationBootstrap(): void {
    const source = this.verifier.keySource;
    if (!(source instanceof RemoteKeySource)) return;
    source.warm().catch((error: unknown) =>
      this.logger.warn('the token keys could not be read at start; retried on the first request', {
        reason: error instanceof Error ? error.message : String(error),
      }),
    );
  }
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
        TokenKeysWarmup,
      ],
      exports: [JWT_VERIFIER],
    };
  }
}
