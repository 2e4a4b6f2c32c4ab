export * from './redact';
export * from './logger';
export * from './nest-logger';
export * from './telemetry';
export * from './metrics';
export * from './run-service';
