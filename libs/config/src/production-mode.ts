import { ConfigProblem } from './config-error';

/** The issuer name of the local development token issuer (tools/dev-auth.js, LocalTokenIssuer). */
export const DEVELOPMENT_TOKEN_ISSUER = 'divit-local';

const REFUSED = 'refused when DIVIT_ENVIRONMENT=production';

/**
 * What a production process must not run with, by convention over every service's settings:
 * - a `*_MODE` setting with the value `simulator` (a government service replaced by a simulator);
 * - any setting whose name contains `SIMULATOR` set at all (simulator-only knobs and secrets);
 * - `SCHEMA_AUTO_REGISTER=true` (producers register schemas; in production only the deploy job does);
 * - `AUTH_ISSUER` left at the local development token issuer;
 * - no source of the identity provider's keys (one of AUTH_JWKS, AUTH_JWKS_FILE, AUTH_JWKS_URL,
 *   AUTH_OIDC_DISCOVERY=true), or a key URL (AUTH_JWKS_URL, or the issuer for discovery) that is not https.
 * Problems name the keys only, never a value. `present` are the keys the environment actually set.
 */
export function productionProblems(
  config: Readonly<Record<string, unknown>>,
  present: ReadonlySet<string>,
): ConfigProblem[] {
  if (config.DIVIT_ENVIRONMENT !== 'production') return [];
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (key.endsWith('_MODE') && value === 'simulator')
      problems.push({ key, reason: `simulator ${REFUSED}` });
    else if (key.includes('SIMULATOR') && present.has(key))
      problems.push({ key, reason: `simulator-only setting ${REFUSED}` });
  }
  if (config.SCHEMA_AUTO_REGISTER === true)
    problems.push({ key: 'SCHEMA_AUTO_REGISTER', reason: `schema auto-registration ${REFUSED}` });
  if (config.AUTH_ISSUER === DEVELOPMENT_TOKEN_ISSUER)
    problems.push({
      key: 'AUTH_ISSUER',
      reason: `the local development token issuer ${REFUSED}; set your identity provider's issuer`,
    });
  if ('AUTH_ISSUER' in config) problems.push(...productionAuthProblems(config, present));
  return problems;
}

/** The settings that name where the identity provider's public keys come from (exactly one is used). */
export const AUTH_KEY_SOURCES = [
  'AUTH_JWKS',
  'AUTH_JWKS_FILE',
  'AUTH_JWKS_URL',
  'AUTH_OIDC_DISCOVERY',
] as const;

function namedKeySources(config: Readonly<Record<string, unknown>>, present: ReadonlySet<string>): string[] {
  return AUTH_KEY_SOURCES.filter((key) =>
    key === 'AUTH_OIDC_DISCOVERY' ? config[key] === true : present.has(key) || config[key] !== undefined,
  );
}

/**
 * In every mode: at most one key source (two would leave it open which keys are trusted). A schema without the
 * platform's authentication keys has nothing to check.
 */
export function authSourceProblems(
  config: Readonly<Record<string, unknown>>,
  present: ReadonlySet<string>,
): ConfigProblem[] {
  if (!('AUTH_ISSUER' in config)) return [];
  const named = namedKeySources(config, present);
  return named.length > 1
    ? [{ key: named.join('+'), reason: "name exactly one source of the identity provider's keys" }]
    : [];
}

function productionAuthProblems(
  config: Readonly<Record<string, unknown>>,
  present: ReadonlySet<string>,
): ConfigProblem[] {
  const named = namedKeySources(config, present);
  if (named.length === 0)
    return [
      {
        key: 'AUTH_JWKS_URL',
        reason: `a source of the identity provider's keys is required when DIVIT_ENVIRONMENT=production (AUTH_JWKS_URL, AUTH_OIDC_DISCOVERY=true, AUTH_JWKS_FILE or AUTH_JWKS)`,
      },
    ];
  const https = (value: unknown) => typeof value === 'string' && value.startsWith('https://');
  if (
    named.includes('AUTH_JWKS_URL') &&
    typeof config.AUTH_JWKS_URL === 'string' &&
    !https(config.AUTH_JWKS_URL)
  )
    return [{ key: 'AUTH_JWKS_URL', reason: `a key URL that is not https is ${REFUSED}` }];
  if (named.includes('AUTH_OIDC_DISCOVERY') && !https(config.AUTH_ISSUER))
    return [{ key: 'AUTH_ISSUER', reason: `OIDC discovery from an issuer that is not https is ${REFUSED}` }];
  return [];
}
