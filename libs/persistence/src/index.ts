export * from './snake-naming.strategy';
export * from './data-source-options';
export * from './database-errors';
export * from './migrations';
export * from './test-database';
export * from './periodic-task';
