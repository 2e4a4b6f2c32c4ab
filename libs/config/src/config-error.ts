/** Raised when configuration is invalid. The message names the bad keys and never echoes their values. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.key} (${p.reason})`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigProblem {
  /** The environment variable name, e.g. `KAFKA_BROKERS`. */
  readonly key: string;
  /** What is wrong, without the value: "required", "expected number", ... */
  readonly reason: string;
}
