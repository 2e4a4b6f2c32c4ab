/** Injection token of the parsed RetentionCleanupConfig. */
export const RETENTION_CONFIG = Symbol('RETENTION_CONFIG');
