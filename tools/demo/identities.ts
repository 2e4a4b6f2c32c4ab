/**
 * Who the demonstration acts as. With Keycloak in the stack (the default; tools/services.sh then starts the
 * services trusting it through OIDC discovery and writes `.stack/auth-issuer`), every token comes from Keycloak:
 * - systems (the allocation system of an organisation, the platform's operations tooling) by client credentials;
 * - people (admins, coordinators, auditors, finance officers, member corporations' staff) as named users of their
 *   organisation, password grant of the realm's `divit-portal` client (allowed in this local realm only). The realm
 *   demands a second factor of every staff role (docs/adr/0034): a staff person gets an OTP credential with a secret
 *   of this run when provisioned, and each login sends its RFC 6238 code (`totp` of @divit/testing, computed here;
 *   demonstration only, a real person scans the secret into an authenticator app at the first browser login). The
 *   provisioned people have no required action due: they stand for people who accepted the logging notice.
 * Organisations, users and clients the run needs are provisioned through Keycloak's admin API (a group per
 * organisation with its `org` attribute, docs/adr/0026). Without Keycloak (`STACK_KEYCLOAK=0`), tokens come
 * from the local development issuer (tools/dev-auth.js), as before.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Role } from '@divit/service-kit';
import { LocalKeycloak } from '@divit/testing';
import { STATE, tokenFor as developmentTokenFor } from './lib';

/** Gives the current token of one identity (refreshed in the background before it expires). */
export type TokenGetter = () => string;

export interface Identities {
  /** How tokens are obtained, for the transcript. */
  readonly description: string;
  /** The token of someone of `organisationId` holding `roles`: a system's client or a named person. */
  tokenFor(organisationId: string, roles: Role[]): Promise<TokenGetter>;
  /** Stops the background refresh. */
  close(): void;
}

/** The issuer the running services trust, as tools/services.sh wrote it (`divit-local`: the development issuer). */
export function servicesIssuer(): string {
  const file = path.join(STATE, 'auth-issuer');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : 'divit-local';
}

export function identities(): Identities {
  const issuer = servicesIssuer();
  if (issuer === 'divit-local') {
    return {
      description:
        'tokens from the local development issuer (tools/dev-auth.js; the stack runs without Keycloak)',
      tokenFor: (organisationId, roles) => {
        const token = developmentTokenFor(organisationId, roles);
        return Promise.resolve(() => token);
      },
      close: () => undefined,
    };
  }
  return new KeycloakIdentities(issuer);
}

interface Held {
  token: string;
  expiresAt: number;
  fetch: () => Promise<string>;
}

/** Seconds since the epoch at which a JWT expires (its `exp`), in ms. */
function expiryOf(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    exp?: number;
  };
  return (payload.exp ?? 0) * 1000;
}

const short = (id: string): string =>
  id
    .replace(/[^a-z0-9]/gi, '')
    .slice(0, 8)
    .toLowerCase();

class KeycloakIdentities implements Identities {
  private readonly keycloak: LocalKeycloak;
  private readonly held = new Map<string, Promise<Held>>();
  private readonly timer: NodeJS.Timeout;
  /** Passwords and secrets of this run only (set again on every run). */
  private readonly secret = randomBytes(18).toString('base64url');

  constructor(readonly issuer: string) {
    const url = new URL(issuer);
    this.keycloak = new LocalKeycloak({ url: url.origin, realm: url.pathname.split('/').pop() }, process.env);
    // Access tokens live 5 minutes; a run under load can take longer.
    this.timer = setInterval(() => void this.refresh(), 20_000);
    this.timer.unref();
  }

  get description(): string {
    return `tokens from Keycloak (${this.issuer}): systems by client credentials, people as named users of their organisation (staff with a TOTP second factor)`;
  }

  tokenFor(organisationId: string, roles: Role[]): Promise<TokenGetter> {
    const key = `${organisationId}|${[...roles].sort().join(',')}`;
    let held = this.held.get(key);
    if (!held) {
      held = this.provision(organisationId, roles).then(async (fetch) => {
        const token = await fetch();
        return { token, expiresAt: expiryOf(token), fetch };
      });
      held.catch(() => this.held.delete(key));
      this.held.set(key, held);
    }
    return held.then((h) => () => h.token);
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Creates (or updates) the identity in Keycloak; answers how to get its token. */
  private async provision(organisationId: string, roles: Role[]): Promise<() => Promise<string>> {
    if (organisationId === 'platform' && roles.length === 1 && roles[0] === 'platform-operator')
      return () => this.keycloak.clientToken('platform-operations');
    if (roles.includes('allocation-system')) {
      const clientId = `demo-allocation-system-${short(organisationId)}`;
      await this.keycloak.ensureSystemClient({ clientId, secret: this.secret, organisationId, roles });
      return () => this.keycloak.clientToken(clientId, this.secret);
    }
    const username = `demo.${roles.join('.')}.${short(organisationId)}`;
    await this.keycloak.ensureUser({
      username,
      password: this.secret,
      organisationId,
      roles,
      firstName: 'Demo',
      lastName: `${roles.join(' ')} ${short(organisationId)}`,
    });
    return () => this.keycloak.userToken(username, this.secret);
  }

  private async refresh(): Promise<void> {
    for (const entry of this.held.values()) {
      const held = await entry.catch(() => undefined);
      if (!held || held.expiresAt - Date.now() > 120_000) continue;
      try {
        held.token = await held.fetch();
        held.expiresAt = expiryOf(held.token);
      } catch {
        // The next tick tries again; a request with an expired token fails the step with a clear 401.
      }
    }
  }
}
