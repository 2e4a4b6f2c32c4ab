/** Injection tokens shared by the modules of this service. */
export const INCOME_RETRIEVAL_CONFIG = Symbol('INCOME_RETRIEVAL_CONFIG');
export const NORM_CATALOGUE = Symbol('NORM_CATALOGUE');
