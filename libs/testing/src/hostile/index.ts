export * from './openapi';
export * from './inputs';
export * from './hostile-tier';
export * from './roles';
export * from './poison-records';
