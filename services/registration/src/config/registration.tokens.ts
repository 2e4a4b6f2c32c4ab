/** Injection token of the registration service's config (PlatformModule.forRoot's configToken). */
export const REGISTRATION_CONFIG = Symbol('REGISTRATION_CONFIG');
