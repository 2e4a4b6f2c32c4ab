/**
 * The local Keycloak of the stack (tools/stack/stack.sh, docs/adr/0026) for integration tests: client-credentials
 * tokens of the realm `divit` (deploy/keycloak/divit-realm.json) and a few admin calls for test-only realms and
 * clients. Real HTTP; nothing is mocked. When Keycloak does not answer, {@link LocalKeycloak.discover} fails with
 * what to do instead of letting a test pass or skip.
 */

/** The realm's organisations (group attribute `org`, deploy/keycloak/divit-realm.json). */
export const KEYCLOAK_ORGANISATIONS = {
  woonkans: '0b6a1c3e-5d2f-4a7b-9c1d-2e3f4a5b6c01',
  deKade: '0b6a1c3e-5d2f-4a7b-9c1d-2e3f4a5b6c02',
} as const;

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

  private async adminToken(): Promise<string> {
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
