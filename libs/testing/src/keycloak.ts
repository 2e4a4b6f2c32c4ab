/**
 * The local Keycloak of the stack (tools/stack/stack.sh, docs/adr/0026) for integration tests: client-credentials
 * tokens of the realm `divit` (deploy/keycloak/divit-realm.json) and a few admin calls for test-only realms and
 * clients. Real HTTP; nothing is mocked. When Keycloak does not answer, {@link LocalKeycloak.discover} fails with
 * what to do instead of letting a test pass or skip.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROLES } from '@divit/service-kit';
import { totp } from './totp';

/** The realm's organisations (group attribute `org`, deploy/keycloak/divit-realm.json). */
export const KEYCLOAK_ORGANISATIONS = {
  woonkans: '0b6a1c3e-5d2f-4a7b-9c1d-2e3f4a5b6c01',
  deKade: '0b6a1c3e-5d2f-4a7b-9c1d-2e3f4a5b6c02',
} as const;

/**
 * The staff roles (docs/adr/0034): in the realm file each is a composite of the marker role `second-factor-required`,
 * and the realm's browser and direct-grant flows demand a second factor (OTP) of every user holding one. `member`,
 * and the systems' roles (client credentials, no login flow), are not staff.
 */
export const STAFF_ROLES = [
  'admin',
  'auditor',
  'coordinator',
  'finance',
  'fund-chair',
  'fund-cashier',
  'platform-operator',
] as const;

/** The marker role the staff roles are composites of (never granted directly, never in a token). */
export const SECOND_FACTOR_ROLE = 'second-factor-required';

/** The realm file (deploy/keycloak/divit-realm.json), from the repository's root. */
export const REALM_FILE = path.resolve(__dirname, '../../../deploy/keycloak/divit-realm.json');

/**
 * A user's OTP credential as Keycloak's admin API and realm import take it: TOTP by the realm's policy (HmacSHA1, 6
 * digits, 30 s), the secret kept as a string whose UTF-8 bytes are the key ({@link totp}). For local, demo and test
 * users only: a person sets up their own second factor at first login (CONFIGURE_TOTP).
 */
export function otpCredential(secret: string, label = 'demo and tests only: a known secret') {
  return {
    type: 'otp',
    userLabel: label,
    secretData: JSON.stringify({ value: secret }),
    credentialData: JSON.stringify({
      subType: 'totp',
      digits: 6,
      counter: 0,
      period: 30,
      algorithm: 'HmacSHA1',
    }),
  };
}

export interface KeycloakOptions {
  /** Default the environment's `KEYCLOAK_URL`, else `http://127.0.0.1:${KEYCLOAK_PORT ?? 8180}`. */
  url?: string;
  /** Default `divit`. */
  realm?: string;
  /** The master realm's administrator: the environment's `KEYCLOAK_ADMIN_USER`/`KEYCLOAK_ADMIN_PASSWORD`, default admin/admin. */
  adminUser?: string;
  adminPassword?: string;
}

export class LocalKeycloak {
  readonly url: string;
  readonly realm: string;
  private readonly adminUser: string;
  private readonly adminPassword: string;

  /**
   * @param env the test's environment (`process.env` in a spec): `KEYCLOAK_URL` or `KEYCLOAK_PORT`,
   * `KEYCLOAK_ADMIN_USER`/`KEYCLOAK_ADMIN_PASSWORD` and `DIVIT_KC_SECRET_<CLIENT>`, as for stack.sh.
   */
  constructor(
    options: KeycloakOptions = {},
    private readonly env: Readonly<Record<string, string | undefined>> = {},
  ) {
    this.url = (options.url ?? env.KEYCLOAK_URL ?? `http://127.0.0.1:${env.KEYCLOAK_PORT ?? '8180'}`).replace(
      /\/+$/,
      '',
    );
    this.realm = options.realm ?? 'divit';
    this.adminUser = options.adminUser ?? env.KEYCLOAK_ADMIN_USER ?? 'admin';
    this.adminPassword = options.adminPassword ?? env.KEYCLOAK_ADMIN_PASSWORD ?? 'admin';
  }

  /** `<url>/realms/<realm>` as Keycloak spells it in the discovery document (the tokens' `iss`). */
  async discover(realm = this.realm): Promise<{ issuer: string; tokenEndpoint: string }> {
    const where = `${this.url}/realms/${realm}/.well-known/openid-configuration`;
    let response: Response;
    try {
      response = await fetch(where, { signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      throw new Error(
        `Keycloak is not reachable at ${where} (${error instanceof Error ? error.message : String(error)}): ` +
          `start the stack with 'npm run stack:up' (Keycloak is one of its parts, tools/stack/README.md), ` +
          `or set KEYCLOAK_URL to a running one`,
      );
    }
    if (response.status !== 200)
      throw new Error(
        `Keycloak at ${this.url} answered ${response.status} for realm '${realm}': is the realm imported? ` +
          `('stack.sh down --purge' then 'up' imports deploy/keycloak/divit-realm.json afresh)`,
      );
    const document = (await response.json()) as { issuer: string; token_endpoint: string };
    return { issuer: document.issuer, tokenEndpoint: document.token_endpoint };
  }

  /**
   * A client-credentials access token. The secret defaults to the realm file's local one
   * (`DIVIT_KC_SECRET_<CLIENT>` or `<client>-local-secret`).
   */
  async clientToken(clientId: string, secret?: string, realm = this.realm): Promise<string> {
    const envName = `DIVIT_KC_SECRET_${clientId.toUpperCase().replace(/-/g, '_')}`;
    const clientSecret = secret ?? this.env[envName] ?? `${clientId}-local-secret`;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    });
    const response = await fetch(`${this.url}/realms/${realm}/protocol/openid-connect/token`, {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(30_000),
    });
    const answer = (await response.json()) as { access_token?: string; error?: string };
    if (response.status !== 200 || !answer.access_token)
      throw new Error(
        `Keycloak refused a token for ${clientId} in ${realm}: ${response.status} ${answer.error}`,
      );
    return answer.access_token;
  }

  /**
   * A named person's access token (password grant of the public client `divit-portal`, which this local realm
   * allows for tests and the demonstration; production people log in through the browser with PKCE). A staff user
   * needs a second factor (docs/adr/0034): the code is computed from `totpSecret`, else from the secret
   * {@link ensureUser} gave the user, and sent as Keycloak's `totp` parameter.
   */
  async userToken(
    username: string,
    password: string,
    clientId = 'divit-portal',
    realm = this.realm,
    totpSecret: string | undefined = this.totpSecrets.get(`${realm}/${username}`),
  ): Promise<string> {
    const answer = await this.passwordGrant(username, password, {
      clientId,
      realm,
      ...(totpSecret === undefined ? {} : { totp: await this.freshCode(`${realm}/${username}`, totpSecret) }),
    });
    if (answer.status !== 200 || !answer.access_token)
      throw new Error(
        `Keycloak refused a token for user ${username} in ${realm}: ${answer.status} ${answer.error} ${answer.error_description ?? ''}`,
      );
    return answer.access_token;
  }

  /** The password grant's whole answer (status, token or error), for tests of what Keycloak refuses. */
  async passwordGrant(
    username: string,
    password: string,
    options: { clientId?: string; realm?: string; totp?: string } = {},
  ): Promise<{ status: number; access_token?: string; error?: string; error_description?: string }> {
    const realm = options.realm ?? this.realm;
    const response = await fetch(`${this.url}/realms/${realm}/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: options.clientId ?? 'divit-portal',
        username,
        password,
        scope: 'openid',
        ...(options.totp === undefined ? {} : { totp: options.totp }),
      }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    try {
      const answer = JSON.parse(text) as {
        access_token?: string;
        error?: string;
        error_description?: string;
      };
      return { status: response.status, ...answer };
    } catch {
      // Some authenticators (deny-access) answer with Keycloak's error page: its text, without the markup.
      const page = text
        .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
      return { status: response.status, error: 'error_page', error_description: page.slice(0, 1000) };
    }
  }

  /** OTP secrets {@link ensureUser} gave, by `<realm>/<username>` (this process only). */
  private readonly totpSecrets = new Map<string, string>();
  /** The 30 s step whose code was last sent, by `<realm>/<username>`. */
  private readonly lastSteps = new Map<string, number>();

  /**
   * A TOTP code of the user that this process has not sent yet: the current step's, else the next step's (the
   * realm accepts codes one step either side, `otpPolicyLookAheadWindow` 1), else it waits for the next step. The
   * realm accepts each code once (`otpPolicyCodeReusable` false), so a user logging in several times within 30 s
   * (a test, the demonstration's token refresh) must not send one code twice.
   */
  private async freshCode(key: string, secret: string): Promise<string> {
    const current = Math.floor(Date.now() / 30_000);
    const last = this.lastSteps.get(key);
    const use = last === undefined || last < current ? current : last + 1;
    if (use > current + 1) {
      // Both codes the realm accepts now were sent: wait until `use` is within one step of the clock.
      await new Promise((resolve) => setTimeout(resolve, (use - 1) * 30_000 - Date.now() + 50));
    }
    this.lastSteps.set(key, use);
    return totp(secret, { time: use * 30 + 1 });
  }

  /**
   * The group of an organisation under `/organisations` (attribute `org` = its id, which the realm's mapper puts
   * into every member's tokens), created when missing; answers the group's id.
   */
  async ensureOrganisationGroup(organisationId: string, displayName?: string): Promise<string> {
    const parent = await this.adminOk<{ id: string; subGroupCount?: number }>(
      'GET',
      `/${this.realm}/group-by-path/organisations`,
    );
    const children = await this.adminOk<{ id: string; name: string }[]>(
      'GET',
      `/${this.realm}/groups/${parent.id}/children?search=${encodeURIComponent(organisationId)}&exact=true&max=10`,
    );
    const found = children.find((g) => g.name === organisationId);
    if (found) return found.id;
    const created = await this.admin('POST', `/${this.realm}/groups/${parent.id}/children`, {
      name: organisationId,
      attributes: { org: [organisationId], ...(displayName ? { displayName: [displayName] } : {}) },
    });
    if (created.status !== 201 && created.status !== 409)
      throw new Error(`Keycloak did not create the group of ${organisationId}: ${created.status}`);
    return this.ensureOrganisationGroup(organisationId, displayName);
  }

  /**
   * A named user of an organisation with realm roles and a password (created when missing, password and roles
   * set every time); answers the user's id. A user holding a staff role ({@link STAFF_ROLES}) gets an OTP credential
   * with a fresh secret every time (its old ones removed), which {@link userToken} then uses: the realm demands a
   * second factor of staff (docs/adr/0034). No required action stays due: such a user stands for a person who set up
   * the second factor and accepted the logging notice at their first login (the realm gives every user created
   * through the admin API the notice, TERMS_AND_CONDITIONS, as a default action).
   */
  async ensureUser(input: {
    username: string;
    password: string;
    organisationId: string;
    roles: readonly string[];
    firstName: string;
    lastName: string;
    /** Default: a random secret for a staff role, none otherwise. */
    totpSecret?: string;
  }): Promise<string> {
    const group = await this.ensureOrganisationGroup(input.organisationId);
    const path = `/${this.realm}/users`;
    let [user] = await this.adminOk<{ id: string }[]>(
      'GET',
      `${path}?username=${encodeURIComponent(input.username)}&exact=true`,
    );
    if (!user) {
      const created = await this.admin('POST', path, {
        username: input.username,
        enabled: true,
        firstName: input.firstName,
        lastName: input.lastName,
        email: `${input.username}@example.org`,
        emailVerified: true,
        requiredActions: [],
      });
      if (created.status !== 201)
        throw new Error(`Keycloak did not create user ${input.username}: ${created.status}`);
      [user] = await this.adminOk<{ id: string }[]>(
        'GET',
        `${path}?username=${encodeURIComponent(input.username)}&exact=true`,
      );
      if (!user) throw new Error(`Keycloak lost user ${input.username} after creating it`);
    }
    await this.adminOk('PUT', `${path}/${user.id}/reset-password`, {
      type: 'password',
      value: input.password,
      temporary: false,
    });
    const staff = input.roles.some((role) => (STAFF_ROLES as readonly string[]).includes(role));
    const secret = input.totpSecret ?? (staff ? randomBytes(15).toString('base64url') : undefined);
    if (secret !== undefined) await this.setOtpSecret(user.id, secret);
    await this.adminOk('PUT', `${path}/${user.id}`, { requiredActions: [] });
    // A new secret's codes differ from the old one's: no need to wait for the next step.
    this.lastSteps.delete(`${this.realm}/${input.username}`);
    if (secret !== undefined) this.totpSecrets.set(`${this.realm}/${input.username}`, secret);
    else this.totpSecrets.delete(`${this.realm}/${input.username}`);
    await this.adminOk('PUT', `${path}/${user.id}/groups/${group}`);
    await this.grantRealmRoles(`${path}/${user.id}`, input.roles);
    return user.id;
  }

  /** Replaces a user's OTP credentials by one with `secret` ({@link otpCredential}; tests and the demonstration). */
  async setOtpSecret(userId: string, secret: string, realm = this.realm): Promise<void> {
    const path = `/${realm}/users/${userId}`;
    const credentials = await this.adminOk<{ id: string; type: string }[]>('GET', `${path}/credentials`);
    for (const credential of credentials.filter((c) => c.type === 'otp'))
      await this.adminOk('DELETE', `${path}/credentials/${credential.id}`);
    await this.adminOk('PUT', path, { credentials: [otpCredential(secret)] });
  }

  /**
   * Imports the realm file (or `representation`) as a new realm `name` through the admin API, placeholders
   * `${VAR:default}` resolved from the environment as Keycloak's `--import-realm` does: a throw-away copy of the
   * realm to test its flows against without touching the shared `divit` (docs/adr/0034). {@link deleteRealm} after.
   */
  async importRealmCopy(name: string, representation?: Record<string, unknown>): Promise<void> {
    const text = JSON.stringify(representation ?? JSON.parse(readFileSync(REALM_FILE, 'utf8')));
    const resolved = text.replace(/\$\{([A-Z0-9_]+):([^}]*)\}/g, (_, variable: string, fallback: string) =>
      JSON.stringify(this.env[variable] ?? fallback).slice(1, -1),
    );
    const realm = { ...(JSON.parse(resolved) as Record<string, unknown>), realm: name, id: undefined };
    const created = await this.admin('POST', '', realm);
    if (created.status !== 201)
      throw new Error(
        `Keycloak did not import a copy of the realm as ${name}: ${created.status} ${JSON.stringify(created.json)}`,
      );
  }

  /** Deletes a realm made by {@link importRealmCopy} (never `divit`). */
  async deleteRealm(name: string): Promise<void> {
    if (name === 'divit' || name === 'master') throw new Error(`not deleting the realm ${name}`);
    const deleted = await this.admin('DELETE', `/${name}`);
    if (deleted.status !== 204 && deleted.status !== 404)
      throw new Error(`Keycloak did not delete realm ${name}: ${deleted.status}`);
  }

  /**
   * A confidential client of a calling system of one organisation (client credentials only, the realm's three
   * mappers copied from `template`), its service account in the organisation's group with the given realm roles;
   * created when missing, secret set every time.
   */
  async ensureSystemClient(input: {
    clientId: string;
    secret: string;
    organisationId: string;
    roles: readonly string[];
    template?: string;
  }): Promise<void> {
    const group = await this.ensureOrganisationGroup(input.organisationId);
    const clients = `/${this.realm}/clients`;
    const byId = async (clientId: string) =>
      (
        await this.adminOk<{ id: string; protocolMappers?: unknown[] }[]>(
          'GET',
          `${clients}?clientId=${encodeURIComponent(clientId)}`,
        )
      )[0];
    let client = await byId(input.clientId);
    if (!client) {
      const template = await byId(input.template ?? 'allocation-system');
      if (!template)
        throw new Error(`the realm has no client ${input.template ?? 'allocation-system'} to copy`);
      const full = await this.adminOk<{
        protocolMappers?: { name: string; protocol: string; protocolMapper: string; config: unknown }[];
        attributes?: unknown;
      }>('GET', `${clients}/${template.id}`);
      const created = await this.admin('POST', clients, {
        clientId: input.clientId,
        enabled: true,
        protocol: 'openid-connect',
        publicClient: false,
        clientAuthenticatorType: 'client-secret',
        secret: input.secret,
        serviceAccountsEnabled: true,
        standardFlowEnabled: false,
        implicitFlowEnabled: false,
        directAccessGrantsEnabled: false,
        attributes: full.attributes,
        protocolMappers: (full.protocolMappers ?? []).map(({ name, protocol, protocolMapper, config }) => ({
          name,
          protocol,
          protocolMapper,
          config,
        })),
      });
      if (created.status !== 201)
        throw new Error(`Keycloak did not create client ${input.clientId}: ${created.status}`);
      client = await byId(input.clientId);
      if (!client) throw new Error(`Keycloak lost client ${input.clientId} after creating it`);
    } else {
      await this.adminOk('PUT', `${clients}/${client.id}`, {
        clientId: input.clientId,
        secret: input.secret,
      });
    }
    const account = await this.adminOk<{ id: string }>('GET', `${clients}/${client.id}/service-account-user`);
    const user = `/${this.realm}/users/${account.id}`;
    await this.adminOk('PUT', `${user}/groups/${group}`);
    await this.grantRealmRoles(user, input.roles);
  }

  /**
   * The registration service's admin-API client (docs/adr/0030; `registration-user-admin` in the realm file): a
   * confidential client whose service account holds the realm-management roles for named users, clients and login
   * events. Created when missing (a Keycloak started from an older realm file), secret set every time. Also turns on
   * what the realm file turns on for it: login events stored, and the required actions named users get.
   */
  async ensureUserAdminClient(
    clientId = 'registration-user-admin',
    secret = this.env[`DIVIT_KC_SECRET_${clientId.toUpperCase().replace(/-/g, '_')}`] ??
      `${clientId}-local-secret`,
  ): Promise<{ clientId: string; secret: string }> {
    const clients = `/${this.realm}/clients`;
    const find = async () =>
      (await this.adminOk<{ id: string }[]>('GET', `${clients}?clientId=${encodeURIComponent(clientId)}`))[0];
    let client = await find();
    if (!client) {
      const created = await this.admin('POST', clients, {
        clientId,
        enabled: true,
        protocol: 'openid-connect',
        publicClient: false,
        clientAuthenticatorType: 'client-secret',
        secret,
        serviceAccountsEnabled: true,
        standardFlowEnabled: false,
        implicitFlowEnabled: false,
        directAccessGrantsEnabled: false,
      });
      if (created.status !== 201 && created.status !== 409)
        throw new Error(`Keycloak did not create client ${clientId}: ${created.status}`);
      client = await find();
      if (!client) throw new Error(`Keycloak lost client ${clientId} after creating it`);
    } else await this.adminOk('PUT', `${clients}/${client.id}`, { clientId, secret, enabled: true });
    const account = await this.adminOk<{ id: string }>('GET', `${clients}/${client.id}/service-account-user`);
    const management = (
      await this.adminOk<{ id: string }[]>('GET', `${clients}?clientId=realm-management`)
    )[0];
    if (!management) throw new Error('the realm has no realm-management client');
    const wanted = [
      'manage-users',
      'view-users',
      'query-users',
      'query-groups',
      'view-events',
      'manage-clients',
      'view-clients',
      'query-clients',
      'view-realm',
    ];
    const roles = await Promise.all(
      wanted.map((r) =>
        this.adminOk<{ id: string; name: string }>('GET', `${clients}/${management.id}/roles/${r}`),
      ),
    );
    await this.adminOk(
      'POST',
      `/${this.realm}/users/${account.id}/role-mappings/clients/${management.id}`,
      roles,
    );
    await this.enableLoginEvents();
    for (const action of ['TERMS_AND_CONDITIONS', 'CONFIGURE_TOTP', 'UPDATE_PASSWORD'])
      await this.enableRequiredAction(action);
    return { clientId, secret };
  }

  /** The realm stores login events (as the realm file says): LOGIN, LOGIN_ERROR and the clients' ones, added. */
  async enableLoginEvents(): Promise<void> {
    const path = `/${this.realm}/events/config`;
    const config = await this.adminOk<{ eventsEnabled?: boolean; enabledEventTypes?: string[] }>('GET', path);
    const types = new Set([
      ...(config.enabledEventTypes ?? []),
      'LOGIN',
      'LOGIN_ERROR',
      'CLIENT_LOGIN',
      'CLIENT_LOGIN_ERROR',
      'LOGOUT',
      'LOGOUT_ERROR',
    ]);
    if (config.eventsEnabled && types.size === (config.enabledEventTypes ?? []).length) return;
    await this.adminOk('PUT', path, { ...config, eventsEnabled: true, enabledEventTypes: [...types] });
  }

  /** Enables a required action of the realm (e.g. TERMS_AND_CONDITIONS, which Keycloak ships disabled). */
  async enableRequiredAction(alias: string): Promise<void> {
    const path = `/${this.realm}/authentication/required-actions/${alias}`;
    const action = await this.admin<Record<string, unknown>>('GET', path);
    if (action.status === 200) {
      if (action.json.enabled !== true) await this.adminOk('PUT', path, { ...action.json, enabled: true });
      return;
    }
    await this.adminOk('POST', `/${this.realm}/authentication/register-required-action`, {
      providerId: alias,
      name: alias,
    });
    await this.enableRequiredAction(alias);
  }

  /** Sets a user's password and required actions (a test standing in for the person's first login). */
  async completeFirstLogin(userId: string, password: string, requiredActions: string[] = []): Promise<void> {
    await this.adminOk('PUT', `/${this.realm}/users/${userId}/reset-password`, {
      type: 'password',
      value: password,
      temporary: false,
    });
    await this.adminOk('PUT', `/${this.realm}/users/${userId}`, { requiredActions });
  }

  private async grantRealmRoles(userPath: string, roles: readonly string[]): Promise<void> {
    const representations = await Promise.all(roles.map((role) => this.realmRole(role)));
    await this.adminOk('POST', `${userPath}/role-mappings/realm`, representations);
    // Keycloak gives every new user and service account the realm's default roles (offline_access,
    // uma_authorization): a platform token carries the platform roles only.
    const defaults = await this.admin<{ id: string; name: string }>(
      'GET',
      `/${this.realm}/roles/default-roles-${this.realm}`,
    );
    if (defaults.status === 200)
      await this.adminOk('DELETE', `${userPath}/role-mappings/realm`, [defaults.json]);
  }

  /**
   * A realm role's representation. A platform role the running realm lacks (a Keycloak that has not yet re-imported
   * a changed deploy/keycloak/divit-realm.json, e.g. fund-chair and fund-cashier of ADR 0029 on a shared stack) is
   * created first, so a demonstration or test can grant it; every role it creates is one of the platform's ROLES.
   */
  private async realmRole(role: string): Promise<{ id: string; name: string }> {
    const path = `/${this.realm}/roles/${encodeURIComponent(role)}`;
    const found = await this.admin<{ id: string; name: string }>('GET', path);
    if (found.status === 200) return found.json;
    if (found.status !== 404 || !(ROLES as readonly string[]).includes(role))
      throw new Error(`Keycloak admin GET ${path} answered ${found.status}`);
    const created = await this.admin('POST', `/${this.realm}/roles`, {
      name: role,
      description: 'a platform role missing from the imported realm (see deploy/keycloak/divit-realm.json)',
    });
    if (created.status !== 201 && created.status !== 409)
      throw new Error(`Keycloak did not create realm role ${role}: ${created.status}`);
    return this.adminOk<{ id: string; name: string }>('GET', path);
  }

  /** {@link admin}, failing on any status but 2xx. */
  private async adminOk<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const { status, json } = await this.admin<T>(method, path, body);
    if (status < 200 || status > 299) throw new Error(`Keycloak admin ${method} ${path} answered ${status}`);
    return json;
  }

  /** An admin REST call as the master realm's administrator; answers the status and the JSON body (if any). */
  async admin<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }> {
    const token = await this.adminToken();
    const response = await fetch(`${this.url}/admin/realms${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    return { status: response.status, json: (text ? JSON.parse(text) : undefined) as T };
  }

  private cachedAdminToken?: { token: string; until: number };

  /** The administrator's token, reused for 30 s (the master realm's admin tokens live 60 s). */
  private async adminToken(): Promise<string> {
    if (this.cachedAdminToken && this.cachedAdminToken.until > Date.now()) return this.cachedAdminToken.token;
    const token = await this.newAdminToken();
    this.cachedAdminToken = { token, until: Date.now() + 30_000 };
    return token;
  }

  private async newAdminToken(): Promise<string> {
    const response = await fetch(`${this.url}/realms/master/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'admin-cli',
        username: this.adminUser,
        password: this.adminPassword,
      }),
      signal: AbortSignal.timeout(30_000),
    });
    const answer = (await response.json()) as { access_token?: string; error_description?: string };
    if (response.status !== 200 || !answer.access_token)
      throw new Error(
        `Keycloak's administrator ${this.adminUser} could not log in (${response.status} ${answer.error_description}); ` +
          `set KEYCLOAK_ADMIN_USER/KEYCLOAK_ADMIN_PASSWORD as for stack.sh`,
      );
    return answer.access_token;
  }
}
