import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeJwt } from 'jose';
import {
  eventually,
  LocalKeycloak,
  otpCredential,
  REALM_FILE,
  SECOND_FACTOR_ROLE,
  STAFF_ROLES,
  totp,
} from '@divit/testing';
import { LoginEventsReader } from '../../src/access/login-events.reader';
import { RegistrationTestApp } from './support';

/**
 * Issue 15 item 5 (docs/adr/0034) against the real Keycloak of the stack: the realm file's staff security. The file
 * is imported as a throw-away realm of its own (the shared `divit` of a running stack keeps the realm it imported at
 * start, and other people's tests run against it), so what is tested is the file itself:
 * - a staff user without a second factor gets no token, however the user was made (here: through the admin API
 *   with no required action due, as an administrator clearing them would leave it); with an OTP credential and the
 *   right code a token, with a wrong code none; a non-staff named user (`member`) is not asked for one;
 * - the logging notice (TERMS_AND_CONDITIONS) is due for every user created through the admin API and shown at the
 *   first browser login, whose acceptance Keycloak records as an event, which registration's login audit reads into
 *   its access log (NOTICE_ACCEPTED);
 * - at a browser login a staff user without a second factor is sent to set one up (CONFIGURE_TOTP);
 * - the realm's demo staff users log in with the demo TOTP secret, the demonstration's way (`ensureUser` +
 *   `userToken`) works, and systems (client credentials) are unaffected.
 * Keycloak's brute-force protection locks a user for a minute when a login follows that user's failure within a
 * second (quick-login check), so attempts of one user are spaced by 1.5 s.
 */
describe('staff second factor and the logging notice (the realm file, real Keycloak)', () => {
  const keycloak = new LocalKeycloak({}, process.env);
  const realm = `divit-2fa-${randomBytes(3).toString('hex')}`;
  const copy = new LocalKeycloak({ realm }, process.env);
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const pause = () => new Promise((resolve) => setTimeout(resolve, 1500));
  let imported = false;

  beforeAll(async () => {
    await keycloak.discover();
    await keycloak.importRealmCopy(realm);
    imported = true;
  });

  afterAll(async () => {
    if (imported) await keycloak.deleteRealm(realm);
  });

  /** A user made straight through the admin API: roles granted, password set; answers its id and required actions. */
  const user = async (
    username: string,
    roles: string[],
    clearRequiredActions = true,
  ): Promise<{ id: string; requiredActions: string[] }> => {
    const created = await copy.admin('POST', `/${realm}/users`, {
      username,
      enabled: true,
      firstName: 'Test',
      lastName: roles.join(' ') || 'none',
      email: `${username}@example.org`,
      emailVerified: true,
    });
    expect(created.status).toBe(201);
    const [found] = (
      await copy.admin<{ id: string; requiredActions: string[] }[]>(
        'GET',
        `/${realm}/users?username=${username}&exact=true`,
      )
    ).json;
    if (!found) throw new Error(`no user ${username}`);
    await copy.admin('PUT', `/${realm}/users/${found.id}/reset-password`, {
      type: 'password',
      value: password,
      temporary: false,
    });
    if (roles.length > 0) {
      const representations = await Promise.all(
        roles.map(async (role) => (await copy.admin('GET', `/${realm}/roles/${role}`)).json),
      );
      expect(
        (await copy.admin('POST', `/${realm}/users/${found.id}/role-mappings/realm`, representations)).status,
      ).toBe(204);
    }
    if (clearRequiredActions)
      expect((await copy.admin('PUT', `/${realm}/users/${found.id}`, { requiredActions: [] })).status).toBe(
        204,
      );
    return found;
  };

  const grant = (username: string, code?: string) =>
    keycloak.passwordGrant(username, password, { realm, ...(code === undefined ? {} : { totp: code }) });

  it('names the staff roles in the realm file: each a composite of the marker role, member and the systems not', () => {
    const file = JSON.parse(readFileSync(REALM_FILE, 'utf8')) as {
      roles: { realm: { name: string; composites?: { client?: Record<string, string[]> } }[] };
      browserFlow: string;
      directGrantFlow: string;
    };
    const staff = file.roles.realm
      .filter((r) => r.composites?.client?.['divit-staff-policy']?.includes(SECOND_FACTOR_ROLE))
      .map((r) => r.name)
      .sort();
    expect(staff).toEqual([...STAFF_ROLES].sort());
    expect(file.browserFlow).toBe('divit browser');
    expect(file.directGrantFlow).toBe('divit direct grant');
  });

  it('gives every staff role no token without a second factor, even with no required action due', async () => {
    const run = randomBytes(2).toString('hex');
    for (const role of STAFF_ROLES) {
      const username = `staff.${role}.${run}`;
      const made = await user(username, [role]);
      const answer = await grant(username);
      expect(answer.access_token).toBeUndefined();
      // Keycloak's deny-access authenticator answers the direct grant with 401 and its error page.
      expect(answer.status).toBe(401);
      expect(answer.error_description).toContain('second factor');
      expect(
        (await copy.admin<{ type: string }[]>('GET', `/${realm}/users/${made.id}/credentials`)).json,
      ).toEqual([expect.objectContaining({ type: 'password' })]);
    }
    // The refusal is a login error in Keycloak's events, which the login audit reads (docs/adr/0030).
    const events = (
      await copy.admin<{ type: string; error?: string; details?: { username?: string } }[]>(
        'GET',
        `/${realm}/events?type=LOGIN_ERROR&max=50`,
      )
    ).json;
    const refused = events.filter((e) => e.details?.username?.endsWith(`.${run}`));
    expect(refused).toHaveLength(STAFF_ROLES.length);
    expect(new Set(refused.map((e) => e.error))).toEqual(new Set(['access_denied']));
  });

  it('gives a staff user with an OTP credential a token for the right code, none for a wrong or missing one', async () => {
    const username = `staff.otp.${randomBytes(2).toString('hex')}`;
    const made = await user(username, ['coordinator', 'auditor']);
    const secret = randomBytes(15).toString('base64url');
    expect(
      (await copy.admin('PUT', `/${realm}/users/${made.id}`, { credentials: [otpCredential(secret)] }))
        .status,
    ).toBe(204);

    const wrong = await grant(username, totp(secret) === '000000' ? '111111' : '000000');
    expect(wrong).toMatchObject({
      status: 400,
      error: 'invalid_grant',
      error_description: 'Invalid user credentials',
    });
    await pause();
    const missing = await grant(username);
    expect(missing).toMatchObject({ status: 400, error: 'invalid_grant' });
    expect(missing.access_token).toBeUndefined();
    await pause();
    const right = await grant(username, totp(secret));
    expect(right.status).toBe(200);
    const claims = decodeJwt(right.access_token ?? '');
    // Two staff roles, one code: the second factor is asked once. The token's roles are the platform roles only.
    expect(claims).toMatchObject({ preferred_username: username });
    expect([...(claims.roles as string[])].sort()).toEqual(
      expect.arrayContaining(['auditor', 'coordinator']),
    );
    expect(claims.roles).not.toContain(SECOND_FACTOR_ROLE);
  });

  it('does not ask a non-staff named user (member) for a second factor', async () => {
    const username = `member.${randomBytes(2).toString('hex')}`;
    await user(username, ['member']);
    const answer = await grant(username);
    expect(answer.status).toBe(200);
    expect(decodeJwt(answer.access_token ?? '').roles).toContain('member');
  });

  it('makes the logging notice due for a user created through the admin API, shown and recorded at the first browser login', async () => {
    const username = `notice.${randomBytes(2).toString('hex')}`;
    const made = await user(username, ['member'], false);
    const fresh = (await copy.admin<{ requiredActions: string[] }>('GET', `/${realm}/users/${made.id}`)).json;
    expect(fresh.requiredActions).toEqual(['TERMS_AND_CONDITIONS']);
    // The password grant gives no token while it is due.
    expect(await grant(username)).toMatchObject({
      status: 400,
      error: 'invalid_grant',
      error_description: 'Account is not fully set up',
    });
    await pause();

    const browser = new BrowserLogin(keycloak.url, realm);
    const afterPassword = await browser.login(username, password);
    expect(afterPassword.status).toBe(200);
    expect(afterPassword.html).toMatch(/name="accept"/);
    // The notice's own text (the realm's localization of Keycloak's terms page; Dutch by default).
    expect(afterPassword.html).toContain('Uw handelingen worden vastgelegd');
    expect(afterPassword.html).toContain('12 maanden bewaard');
    const accepted = await browser.submit(afterPassword.html, { accept: 'Accept' });
    expect(accepted.status).toBe(302);
    expect(accepted.location).toMatch(/^http:\/\/127\.0\.0\.1:9\/callback\?.*code=/);

    const after = (
      await copy.admin<{ requiredActions: string[]; attributes?: Record<string, string[]> }>(
        'GET',
        `/${realm}/users/${made.id}`,
      )
    ).json;
    expect(after.requiredActions).toEqual([]);
    // Keycloak records the acceptance: the user attribute terms_and_conditions (seconds) and, since the realm stores
    // them, an event.
    const events = (
      await copy.admin<{ type: string; userId?: string; details?: Record<string, string> }[]>(
        'GET',
        `/${realm}/events?user=${made.id}&max=20`,
      )
    ).json;
    expect(events.map((e) => e.type)).toContain('LOGIN');
    const acceptance = events.find((e) => e.type === 'CUSTOM_REQUIRED_ACTION');
    expect(acceptance?.details).toMatchObject({ custom_required_action: 'TERMS_AND_CONDITIONS' });
    expect(await grant(username)).toMatchObject({ status: 200 });

    // registration's login audit (docs/adr/0030), reading this realm's events: the acceptance is in its access log.
    // (Keycloak's event of the refused password grant above, resolve_required_actions, names no user id.)
    const { issuer } = await keycloak.discover(realm);
    const app = new RegistrationTestApp(undefined, undefined, {
      AUTH_ISSUER: issuer,
      AUTH_OIDC_DISCOVERY: 'true',
      IDP_ADMIN_URL: keycloak.url,
      IDP_REALM: realm,
      IDP_ADMIN_CLIENT_ID: 'registration-user-admin',
      IDP_ADMIN_CLIENT_SECRET:
        process.env.DIVIT_KC_SECRET_REGISTRATION_USER_ADMIN ?? 'registration-user-admin-local-secret',
      LOGIN_EVENTS_INTERVAL_MS: '0',
    });
    await app.start();
    try {
      const reader = app.app.get(LoginEventsReader);
      await eventually(
        async () => {
          await reader.readOnce();
          const rows = await app.query<{ action: string; outcome_reason: string | null }>(
            `SELECT action, outcome_reason FROM access_log_entries
              WHERE kind = 'AUTHENTICATION' AND subject = $1 ORDER BY occurred_at, id`,
            [made.id],
          );
          expect(rows).toEqual(
            expect.arrayContaining([
              { action: 'NOTICE_ACCEPTED', outcome_reason: null },
              { action: 'LOGIN_SUCCEEDED', outcome_reason: null },
            ]),
          );
        },
        { description: 'the notice acceptance in the access log', timeoutMs: 20_000 },
      );
    } finally {
      await app.stop();
    }
  });

  it('sends a staff user without a second factor to set one up at a browser login', async () => {
    const username = `staff.browser.${randomBytes(2).toString('hex')}`;
    await user(username, ['admin']);
    const page = await new BrowserLogin(keycloak.url, realm).login(username, password);
    expect(page.status).toBe(200);
    // Keycloak's "Mobile Authenticator Setup" (CONFIGURE_TOTP): the secret to scan and a code to confirm it.
    expect(page.html).toMatch(/name="totpSecret"/);
    expect(page.html).toMatch(/id="totp"/);
  });

  it("lets the realm's demo staff users and the demonstration's way in with their TOTP secret; systems are unaffected", async () => {
    const demoSecret = process.env.DIVIT_KC_DEMO_TOTP_SECRET ?? 'demo-only-totp-secret-local';
    const demoPassword = process.env.DIVIT_KC_DEMO_PASSWORD ?? 'demo-password-local';
    const anna = await keycloak.passwordGrant('anna.dekade', demoPassword, { realm, totp: totp(demoSecret) });
    expect(anna.status).toBe(200);
    expect(decodeJwt(anna.access_token ?? '')).toMatchObject({ roles: ['admin'] });

    // tools/demo/identities.ts: ensureUser gives a staff user an OTP credential, userToken sends its code.
    const organisationId = `it-2fa-${randomBytes(3).toString('hex')}`;
    const username = `demo.finance.${randomBytes(2).toString('hex')}`;
    const named = {
      username,
      password,
      organisationId,
      roles: ['finance'],
      firstName: 'Demo',
      lastName: 'Finance',
    };
    const id = await copy.ensureUser(named);
    expect(decodeJwt(await copy.userToken(username, password))).toMatchObject({
      sub: id,
      org: organisationId,
      roles: ['finance'],
    });
    // Provisioned again (a second run): a new secret replaces the old one.
    expect(await copy.ensureUser(named)).toBe(id);
    expect(decodeJwt(await copy.userToken(username, password))).toMatchObject({ sub: id });

    const system = decodeJwt(await keycloak.clientToken('finance-system', undefined, realm));
    expect(system).toMatchObject({ azp: 'finance-system', roles: ['finance'] });
  });
});

/** A browser's authorisation-code login (PKCE) against the realm's browser flow, cookies kept; no JavaScript needed. */
class BrowserLogin {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly url: string,
    private readonly realm: string,
  ) {}

  /** Opens the login page and posts username and password; answers the page (or redirect) that follows. */
  async login(
    username: string,
    password: string,
  ): Promise<{ status: number; html: string; location?: string }> {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const query = new URLSearchParams({
      client_id: 'divit-portal',
      redirect_uri: 'http://127.0.0.1:9/callback',
      response_type: 'code',
      scope: 'openid',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const page = await this.request(
      `${this.url}/realms/${this.realm}/protocol/openid-connect/auth?${query.toString()}`,
    );
    expect(page.status).toBe(200);
    return this.submit(page.html, { username, password, credentialId: '' });
  }

  /** Posts the page's form (its `action`) with `fields`. */
  submit(
    html: string,
    fields: Record<string, string>,
  ): Promise<{ status: number; html: string; location?: string }> {
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no form on the page: ${html.slice(0, 300)}`);
    return this.follow(this.request(action.replace(/&amp;/g, '&'), new URLSearchParams(fields)));
  }

  /** Follows Keycloak's own redirects (to its next page); stops at one to the client's redirect URI. */
  private async follow(
    pending: Promise<{ status: number; html: string; location?: string }>,
  ): Promise<{ status: number; html: string; location?: string }> {
    let page = await pending;
    for (let hops = 0; page.status === 302 && page.location?.startsWith(this.url) && hops < 5; hops++)
      page = await this.request(page.location);
    return page;
  }

  private async request(
    url: string,
    body?: URLSearchParams,
  ): Promise<{ status: number; html: string; location?: string }> {
    const response = await fetch(url, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      ...(body ? { body } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair?.indexOf('=') ?? -1;
      if (pair && at > 0) this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return {
      status: response.status,
      html: await response.text(),
      location: response.headers.get('location') ?? undefined,
    };
  }
}
