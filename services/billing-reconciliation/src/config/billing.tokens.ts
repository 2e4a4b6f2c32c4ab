export const BILLING_CONFIG = Symbol('BILLING_CONFIG');
