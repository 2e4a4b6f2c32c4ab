import { ConfigProblem } from './config-error';

/** The issuer name of the local development token issuer (tools/dev-auth.js, LocalTokenIssuer). */
export const DEVELOPMENT_TOKEN_ISSUER = 'divit-local';

const REFUSED = 'refused when DIVIT_ENVIRONMENT=production';

/**
 * What a production process must not run with, by convention over every service's settings:
 * - a `*_MODE` setting with the value `simulator` (a government service replaced by a simulator);
 * - any setting whose name contains `SIMULATOR` set at all (simulator-only knobs and secrets);
 * - `SCHEMA_AUTO_REGISTER=true` (producers register schemas; in production only the deploy job does);
 * - `AUTH_ISSUER` left at the local development token issuer.
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
  return problems;
}
