export * from './service-test-app';
export * from './eventually';
export * from './bsn-leak-scan';
export * from './pdf-text';
export * from './hostile';
export * from './organisation-events';
export * from './erasure-contract';
export * from './pending-migrations';
