export * from './config-error';
export * from './load-config';
export * from './fields';
export * from './production-mode';
