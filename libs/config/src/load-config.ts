import { z } from 'zod';
import { ConfigError, ConfigProblem } from './config-error';
import { authSourceProblems, productionProblems } from './production-mode';

export type EnvSource = Readonly<Record<string, string | undefined>>;

/**
 * Parses configuration once from an environment-like object with a zod object schema whose keys are
 * the environment variable names. Empty strings count as absent, so defaults apply.
 * On failure throws {@link ConfigError} listing the *names* of the bad keys, never their values.
 * With `DIVIT_ENVIRONMENT=production` it also refuses simulators and development switches
 * ({@link productionProblems}).
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: EnvSource = process.env): z.infer<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) {
    const present = new Set(Object.keys(input));
    const refused = [
      ...authSourceProblems(result.data, present),
      ...productionProblems(result.data, present),
    ];
    if (refused.length > 0) throw new ConfigError(refused);
    return result.data;
  }
  const problems: ConfigProblem[] = result.error.issues.map((issue) => ({
    key: issue.path.map(String).join('.') || '(root)',
    reason: describe(issue),
  }));
  throw new ConfigError(problems);
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'required' : `expected ${issue.expected}`;
    case 'too_small':
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'invalid_format':
      return `expected format ${issue.format}`;
    default:
      // Custom refinements carry their own message; zod never puts the input value in it by default.
      return issue.message;
  }
}

/**
 * Loads configuration at process start and exits with a one-line message naming the bad keys.
 * Use in `main.ts`; use {@link loadConfig} in tests.
 */
export function loadConfigOrExit<S extends z.ZodObject>(schema: S, env: EnvSource = process.env): z.infer<S> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
