export * from './domain-error';
export * from './problem-details.filter';
export * from './zod-validation.pipe';
export * from './messaging-runtime';
