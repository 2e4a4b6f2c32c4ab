import { CreateErasureAcknowledgements1766000000000 } from './1766000000000-create-erasure-acknowledgements';

export * from './acknowledgement-id';
export * from './erasure-errors';
export * from './erasure-scope';
export * from './erasure-handler';
export * from './erasure.module';
export * from './policy-dataset';
export { CreateErasureAcknowledgements1766000000000 };

/** The erasure protocol's migrations; every data-owning service lists them after the messaging migrations. */
export const erasureMigrations = [CreateErasureAcknowledgements1766000000000];
