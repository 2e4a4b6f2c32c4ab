/** Injection token of the parsed ConsentConfig. */
export const CONSENT_CONFIG = Symbol('CONSENT_CONFIG');
