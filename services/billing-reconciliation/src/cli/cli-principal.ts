import { userInfo } from 'node:os';
import { PLATFORM_ORGANISATION_ID } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';

/**
 * The caller the billing CLI acts as: the platform operator (ADR 0014). The CLI runs with the service's database
 * credentials, so whoever runs it operates the platform; an invoice file may hold several payers' invoices, which
 * only the platform operator may import. The operating-system user stays in the subject for the access log.
 */
export const cliPrincipal = (): Principal => ({
  subject: `cli:${userInfo().username}`,
  organisationId: PLATFORM_ORGANISATION_ID,
  roles: ['platform-operator'],
});
