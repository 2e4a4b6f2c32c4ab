import { Inject, Injectable } from '@nestjs/common';
import { RegistrationConfig } from '../config/registration.config';
import { REGISTRATION_CONFIG } from '../config/registration.tokens';
import { AccessError } from './access.errors';

/** A named user as the identity provider knows it. */
export interface IdpUserInput {
  username: string;
  email: string | null;
  firstName: string;
  lastName: string;
  organisationId: string;
  roles: readonly string[];
  /** Actions the user must complete at first login (e.g. UPDATE_PASSWORD, CONFIGURE_TOTP, TERMS_AND_CONDITIONS). */
  requiredActions: readonly string[];
}

/** One login event of the identity provider (Keycloak's admin events endpoint, `GET /events`). */
export interface IdpLoginEvent {
  id: string;
  time: number;
  type: string;
  clientId: string | null;
  userId: string | null;
  ipAddress: string | null;
  error: string | null;
  /** For a CUSTOM_REQUIRED_ACTION event: the required action completed (TERMS_AND_CONDITIONS, the logging notice). */
  requiredAction: string | null;
}

/**
 * The identity provider's admin API (Keycloak 26, docs/adr/0030), as a confidential client with a service account
 * (client credentials): users in the organisation's group under `/organisations` (attribute `org`, which the realm
 * maps into every token, docs/adr/0026), realm roles, enabling and disabling users and clients, logging sessions
 * out, and reading login events. Real HTTP, no SDK.
 */
@Injectable()
export class IdentityProvider {
  private cached?: { token: string; until: number };

  constructor(@Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig) {}

  get configured(): boolean {
    return this.config.IDP_ADMIN_URL !== undefined && this.config.IDP_ADMIN_CLIENT_SECRET !== undefined;
  }

  private get base(): string {
    return (this.config.IDP_ADMIN_URL ?? '').replace(/\/+$/, '');
  }

  private get realm(): string {
    return this.config.IDP_REALM;
  }

  private assertConfigured(): void {
    if (!this.configured)
      throw new AccessError(
        'IDENTITY_PROVIDER_NOT_CONFIGURED',
        'Named users need the identity provider admin API (IDP_ADMIN_URL, IDP_ADMIN_CLIENT_SECRET).',
      );
  }

  /** Creates the user (enabled, no password: the required actions set it) in the organisation's group; its id. */
  async createUser(input: IdpUserInput): Promise<string> {
    this.assertConfigured();
    const group = await this.organisationGroup(input.organisationId);
    const created = await this.call('POST', `/users`, {
      username: input.username,
      enabled: true,
      firstName: input.firstName,
      lastName: input.lastName,
      ...(input.email ? { email: input.email, emailVerified: false } : {}),
      requiredActions: input.requiredActions,
      groups: [],
    });
    if (created.status === 409)
      throw new AccessError('USERNAME_TAKEN', `The username ${input.username} is taken.`);
    this.ok(created, 'create the user');
    const location = created.headers.get('location') ?? '';
    const id = location.slice(location.lastIndexOf('/') + 1);
    if (!id) throw new AccessError('IDENTITY_PROVIDER_FAILED', 'The identity provider returned no user id.');
    try {
      this.ok(await this.call('PUT', `/users/${id}/groups/${group}`), 'add the user to its organisation');
      await this.setRoles(id, input.roles);
    } catch (error) {
      await this.deleteUser(id).catch(() => undefined);
      throw error;
    }
    return id;
  }

  /** Sets the user's platform roles exactly (adds missing, removes others the platform knows). */
  async setRoles(
    userId: string,
    roles: readonly string[],
    platformRoles: readonly string[] = [],
  ): Promise<void> {
    this.assertConfigured();
    const path = `/users/${userId}/role-mappings/realm`;
    const current = (await this.json<{ id: string; name: string }[]>('GET', path)) ?? [];
    const wanted = new Set(roles);
    const remove = current.filter(
      (r) => !wanted.has(r.name) && (platformRoles.includes(r.name) || r.name.startsWith('default-roles-')),
    );
    if (remove.length > 0) this.ok(await this.call('DELETE', path, remove), 'remove roles');
    const have = new Set(current.map((r) => r.name));
    const add = await Promise.all(
      roles
        .filter((r) => !have.has(r))
        .map((r) => this.json<{ id: string; name: string }>('GET', `/roles/${encodeURIComponent(r)}`)),
    );
    if (add.length > 0) this.ok(await this.call('POST', path, add), 'grant roles');
  }

  /** Enables or disables a user; disabling also ends its sessions (no refresh, no new tokens). */
  async setUserEnabled(userId: string, enabled: boolean): Promise<void> {
    this.assertConfigured();
    this.ok(await this.call('PUT', `/users/${userId}`, { enabled }), enabled ? 'enable' : 'disable');
    if (!enabled) {
      const out = await this.call('POST', `/users/${userId}/logout`);
      if (out.status !== 404) this.ok(out, 'log the user out');
    }
  }

  async deleteUser(userId: string): Promise<void> {
    this.assertConfigured();
    const answer = await this.call('DELETE', `/users/${userId}`);
    if (answer.status !== 404) this.ok(answer, 'delete the user');
  }

  /**
   * Whether `clientId` is a calling system of `organisationId`: a client whose service account is in the
   * organisation's group (as the realm and `ensureSystemClient` put it).
   */
  async clientBelongsTo(clientId: string, organisationId: string): Promise<boolean> {
    this.assertConfigured();
    const client = await this.client(clientId);
    if (!client) return false;
    const account = await this.json<{ id: string }>('GET', `/clients/${client.id}/service-account-user`);
    if (!account) return false;
    const groups = (await this.json<{ path: string }[]>('GET', `/users/${account.id}/groups`)) ?? [];
    return groups.some((g) => g.path === `/organisations/${organisationId}`);
  }

  /** Enables or disables a calling system's client (a disabled client gets no tokens). */
  async setClientEnabled(clientId: string, enabled: boolean): Promise<boolean> {
    this.assertConfigured();
    const client = await this.client(clientId);
    if (!client) return false;
    this.ok(await this.call('PUT', `/clients/${client.id}`, { clientId, enabled }), 'change the client');
    return true;
  }

  private async client(clientId: string): Promise<{ id: string } | undefined> {
    const found =
      (await this.json<{ id: string }[]>('GET', `/clients?clientId=${encodeURIComponent(clientId)}`)) ?? [];
    return found[0];
  }

  /** The ids of the users in an organisation's group. */
  async organisationUserIds(organisationId: string): Promise<string[]> {
    this.assertConfigured();
    const group = await this.organisationGroup(organisationId, false);
    if (!group) return [];
    const members =
      (await this.json<{ id: string }[]>(
        'GET',
        `/groups/${group}/members?max=1000&briefRepresentation=true`,
      )) ?? [];
    return members.map((m) => m.id);
  }

  /**
   * Login events (LOGIN, LOGIN_ERROR, CLIENT_LOGIN, CLIENT_LOGIN_ERROR) from `sinceMs` on, oldest first. Keycloak
   * answers newest first in pages; `dateFrom` is a day, so the caller filters on `time` and de-duplicates by id.
   */
  async loginEvents(sinceMs: number, max = 500): Promise<IdpLoginEvent[]> {
    this.assertConfigured();
    const day = new Date(sinceMs).toISOString().slice(0, 10);
    // CUSTOM_REQUIRED_ACTION: a required action completed at a login; the logging notice's acceptance is one.
    const types = ['LOGIN', 'LOGIN_ERROR', 'CLIENT_LOGIN', 'CLIENT_LOGIN_ERROR', 'CUSTOM_REQUIRED_ACTION']
      .map((t) => `type=${t}`)
      .join('&');
    const events: IdpLoginEvent[] = [];
    for (let first = 0; ; first += max) {
      const page =
        (await this.json<
          {
            id?: string;
            time: number;
            type: string;
            clientId?: string;
            userId?: string;
            ipAddress?: string;
            error?: string;
            sessionId?: string;
            details?: Record<string, string>;
          }[]
        >('GET', `/events?${types}&dateFrom=${day}&first=${first}&max=${max}`)) ?? [];
      for (const e of page)
        if (e.time >= sinceMs)
          events.push({
            // Keycloak 26 gives each event an id; older versions do not: a stable key from its fields then.
            id: e.id ?? `${e.time}:${e.type}:${e.userId ?? ''}:${e.clientId ?? ''}:${e.sessionId ?? ''}`,
            time: e.time,
            type: e.type,
            clientId: e.clientId ?? null,
            userId: e.userId ?? null,
            ipAddress: e.ipAddress ?? null,
            error: e.error ?? null,
            requiredAction: e.details?.custom_required_action ?? null,
          });
      if (page.length < max || page.every((e) => e.time < sinceMs)) break;
    }
    return events.sort((a, b) => a.time - b.time);
  }

  private async organisationGroup(organisationId: string, create = true): Promise<string | null> {
    const parent = await this.json<{ id: string }>('GET', `/group-by-path/organisations`);
    if (!parent) throw new AccessError('IDENTITY_PROVIDER_FAILED', 'The realm has no /organisations group.');
    const children =
      (await this.json<{ id: string; name: string }[]>(
        'GET',
        `/groups/${parent.id}/children?search=${encodeURIComponent(organisationId)}&exact=true&max=10`,
      )) ?? [];
    const found = children.find((g) => g.name === organisationId);
    if (found) return found.id;
    if (!create) return null;
    const created = await this.call('POST', `/groups/${parent.id}/children`, {
      name: organisationId,
      attributes: { org: [organisationId] },
    });
    if (created.status !== 201 && created.status !== 409) this.ok(created, 'create the organisation group');
    return this.organisationGroup(organisationId, false);
  }

  private ok(answer: { status: number }, what: string): void {
    if (answer.status < 200 || answer.status > 299)
      throw new AccessError(
        'IDENTITY_PROVIDER_FAILED',
        `The identity provider could not ${what} (status ${answer.status}).`,
      );
  }

  private async json<T>(method: string, path: string): Promise<T | null> {
    const answer = await this.call(method, path);
    if (answer.status === 404) return null;
    this.ok(answer, `read ${path.split('?')[0]}`);
    return (await answer.json()) as T;
  }

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    const token = await this.token();
    try {
      return await fetch(`${this.base}/admin/realms/${this.realm}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      throw new AccessError(
        'IDENTITY_PROVIDER_UNAVAILABLE',
        `The identity provider does not answer (${error instanceof Error ? error.message : String(error)}).`,
      );
    }
  }

  private async token(): Promise<string> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.token;
    let response: Response;
    try {
      response = await fetch(`${this.base}/realms/${this.realm}/protocol/openid-connect/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: this.config.IDP_ADMIN_CLIENT_ID,
          client_secret: this.config.IDP_ADMIN_CLIENT_SECRET ?? '',
        }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      throw new AccessError(
        'IDENTITY_PROVIDER_UNAVAILABLE',
        `The identity provider does not answer (${error instanceof Error ? error.message : String(error)}).`,
      );
    }
    const answer = (await response.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
    };
    if (response.status !== 200 || !answer.access_token)
      throw new AccessError(
        'IDENTITY_PROVIDER_FAILED',
        `The identity provider refused the admin client's login (status ${response.status}).`,
      );
    // Renewed well before it expires.
    this.cached = {
      token: answer.access_token,
      until: Date.now() + Math.max(5, (answer.expires_in ?? 60) - 30) * 1000,
    };
    return answer.access_token;
  }
}
