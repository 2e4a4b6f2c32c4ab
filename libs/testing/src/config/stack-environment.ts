/** Addresses of the local stack a service's config reads; the ones a test run may set for another stack. */
const STACK_KEYS = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'PGHOST', 'PGPORT'] as const;

/**
 * The stack addresses set in the test run's environment (e.g. `KAFKA_BROKERS=127.0.0.1:29092` for a second
 * stack started with `KAFKA_PORT=29092 tools/stack/stack.sh up`), to be given to a service's config loader.
 * Unset keys are left out, so the config's defaults (the default stack) apply.
 */
export function stackEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of STACK_KEYS) {
    const value = env[key];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}
