export * from './domain-error';
export * from './problem-details.filter';
export * from './zod-validation.pipe';
export * from './messaging-runtime';
export * from './auth/jwt';
export * from './auth/auth.decorators';
export * from './auth/auth.guard';
export * from './auth/auth.module';
