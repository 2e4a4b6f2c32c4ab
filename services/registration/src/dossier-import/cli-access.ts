import { hostname, userInfo } from 'node:os';
import type { Principal } from '@divit/service-kit';
import type { RequestOrigin } from '@divit/access-log';

/** The operator name a command-line run is access-logged under: what an account name may contain. */
export const OPERATOR_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/;

export class OperatorNameError extends Error {}

/**
 * Who runs the dossier-import command line, for the access log (issue 16 item 15): the CLI works with the
 * service's database credentials, so it acts as the platform operator, like `/dossier-imports` over HTTP; the
 * subject is `cli:<operator>` (--operator, else the operating-system user) and the origin names the tool and host
 * in place of an HTTP client's user agent.
 */
export function cliAccess(
  operator: string | undefined,
  os: { user: () => string; host: () => string } = { user: () => userInfo().username, host: hostname },
): { principal: Pick<Principal, 'subject' | 'organisationId' | 'roles'>; origin: RequestOrigin } {
  let name = operator;
  if (name === undefined) {
    try {
      name = os.user();
    } catch {
      name = '';
    }
  }
  if (!OPERATOR_PATTERN.test(name)) {
    throw new OperatorNameError(
      operator === undefined
        ? 'the operating-system user has no usable name: pass --operator NAME'
        : '--operator must be 1-100 letters, digits, dots, dashes, underscores or @',
    );
  }
  return {
    principal: { subject: `cli:${name}`, organisationId: 'platform', roles: ['platform-operator'] },
    origin: { ip: null, userAgent: `divit-dossier-import-cli (${os.host()})` },
  };
}
