import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { LocalTokenIssuer } from '@divit/service-kit';
import type { Role } from '@divit/service-kit';
import { decisionAnswers, RegistrationTestApp } from './support';

/**
 * The shared access log (libs/access-log, ADR 0020) in a real service on the real stack: append-only, every
 * rejected token recorded with its reason (never the token), accepted tokens once per token, changed-field names
 * without values, and two tenants that cannot read each other's entries.
 */
describe('access log (shared library) in registration', () => {
  const t = new RegistrationTestApp();
  let orgA = '';
  let orgB = '';
  let registrationA = '';

  const valid = {
    surname: 'Bakker',
    birthDate: '1985-02-03',
    registrationDate: '2020-01-01',
    household: [],
  };

  interface Row {
    id: string;
    kind: string;
    action: string;
    outcome_reason: string | null;
    subject: string | null;
    subject_organisation_id: string | null;
    roles: string[];
    ip: string | null;
    user_agent: string | null;
  }

  /** A compact JWS signed by the test issuer's own key with any header and claims (for the odd cases). */
  function craft(header: Record<string, unknown>, claims: Record<string, unknown>): string {
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${enc(header)}.${enc(claims)}`;
    const signature = sign(null, Buffer.from(input), createPrivateKey(t.issuer.privateKeyPem()));
    return `${input}.${signature.toString('base64url')}`;
  }
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (over: Record<string, unknown> = {}) => ({
    iss: t.issuer.issuer,
    aud: t.issuer.audience,
    sub: 'crafted-user',
    org: orgA,
    roles: ['allocation-system'],
    iat: now(),
    exp: now() + 600,
    jti: randomUUID(),
    ...over,
  });

  async function entries(where: string, params: unknown[] = []): Promise<Row[]> {
    return t.query<Row>(`SELECT * FROM access_log_entries WHERE ${where} ORDER BY id`, params);
  }

  beforeAll(async () => {
    await t.start();
    const operator = t.platformOperator();
    for (const name of ['A', 'B']) {
      const res = await t.call('POST', '/organisations', operator, {
        name: `Corporatie ${name} ${t.prefix}`,
        answers: decisionAnswers.routeA,
        effectiveFrom: '2024-01-01',
      });
      if (name === 'A') orgA = String(res.json.organisationId);
      else orgB = String(res.json.organisationId);
    }
    const created = await t.call('POST', '/registrations', t.token(orgA, ['allocation-system']), valid);
    registrationA = String(created.json.registrationId);
  });

  afterAll(async () => {
    await t.stop();
  });

  it('is append-only: UPDATE, DELETE and TRUNCATE are refused; only the erasure function removes rows', async () => {
    const [row] = await entries(`registration_id = $1`, [registrationA]);
    expect(row).toBeDefined();
    await expect(
      t.query(`UPDATE access_log_entries SET action = 'X' WHERE id = $1`, [row!.id]),
    ).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(t.query(`DELETE FROM access_log_entries WHERE id = $1`, [row!.id])).rejects.toThrow(
      /append-only: DELETE refused/,
    );
    await expect(t.query(`TRUNCATE access_log_entries`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    await expect(t.query(`SELECT erase_access_log_entries(NULL, NULL, NULL, NULL)`)).rejects.toThrow(
      /needs a cut-off/,
    );
    expect(await entries(`id = $1`, [row!.id])).toHaveLength(1);
    // The erasure path itself works, and only within its scope (a registration nobody logged: none).
    const [gone] = await t.query<{ n: string }>(
      `SELECT erase_access_log_entries(NULL, NULL, $1, NULL) AS n`,
      [randomUUID()],
    );
    expect(Number(gone!.n)).toBe(0);
  });

  it('records every rejected token with its reason, never the token; claims only when the signature was good', async () => {
    const pem = t.issuer.privateKeyPem();
    const good = t.token(orgA, ['allocation-system'], 'user-a');
    const [h, p, s] = good.split('.') as [string, string, string];
    const flipped = `${h}.${p}.${(s[0] === 'A' ? 'B' : 'A') + s.slice(1)}`;
    const cases: { reason: string; header: string; status: number; signedClaims: boolean }[] = [
      { reason: 'MALFORMED', header: 'Basic dXNlcjpwYXNz', status: 401, signedClaims: false },
      { reason: 'MALFORMED', header: 'Bearer not-a-jwt', status: 401, signedClaims: false },
      { reason: 'BAD_SIGNATURE', header: `Bearer ${flipped}`, status: 401, signedClaims: false },
      {
        reason: 'UNKNOWN_KEY',
        header: `Bearer ${new LocalTokenIssuer().sign({ subject: 'x', organisationId: orgA, roles: ['admin'] })}`,
        status: 401,
        signedClaims: false,
      },
      {
        reason: 'UNSUPPORTED_ALGORITHM',
        header: `Bearer ${craft({ alg: 'HS256', kid: t.issuer.kid }, claims())}`,
        status: 401,
        signedClaims: false,
      },
      {
        reason: 'EXPIRED',
        header: `Bearer ${t.issuer.sign({ subject: 'late-user', organisationId: orgA, roles: ['allocation-system'] }, -600)}`,
        status: 401,
        signedClaims: true,
      },
      {
        reason: 'NOT_YET_VALID',
        header: `Bearer ${craft({ alg: 'EdDSA', kid: t.issuer.kid }, claims({ nbf: now() + 3600 }))}`,
        status: 401,
        signedClaims: true,
      },
      {
        reason: 'WRONG_ISSUER',
        header: `Bearer ${new LocalTokenIssuer('someone-else', t.issuer.audience, pem).sign({ subject: 'iss-user', organisationId: orgA, roles: ['allocation-system'] })}`,
        status: 401,
        signedClaims: true,
      },
      {
        reason: 'WRONG_AUDIENCE',
        header: `Bearer ${new LocalTokenIssuer(t.issuer.issuer, 'another-api', pem).sign({ subject: 'aud-user', organisationId: orgA, roles: ['allocation-system'] })}`,
        status: 401,
        signedClaims: true,
      },
      {
        reason: 'MISSING_CLAIMS',
        header: `Bearer ${craft({ alg: 'EdDSA', kid: t.issuer.kid }, claims({ org: undefined }))}`,
        status: 401,
        signedClaims: true,
      },
      {
        reason: 'INVALID_ORGANISATION',
        header: `Bearer ${t.issuer.sign({ subject: 'org-user', organisationId: 'acme', roles: ['admin'] })}`,
        status: 401,
        signedClaims: true,
      },
      {
        // A valid token without the role the route needs (the access log of a registration needs auditor/admin).
        reason: 'MISSING_ROLE',
        header: `Bearer ${good}`,
        status: 403,
        signedClaims: true,
      },
    ];
    const before = await entries(`action = 'TOKEN_REJECTED'`);
    for (const c of cases) {
      const path =
        c.reason === 'MISSING_ROLE'
          ? `/registrations/${registrationA}/access-log`
          : `/registrations/${registrationA}`;
      const res = await t.raw('GET', path, {
        headers: { authorization: c.header, 'user-agent': `access-log-test/${c.reason}` },
      });
      expect({ reason: c.reason, status: res.status }).toEqual({ reason: c.reason, status: c.status });
    }
    // No header at all presents no token: refused, not recorded.
    expect((await t.raw('GET', `/registrations/${registrationA}`)).status).toBe(401);

    const rejected = (await entries(`action = 'TOKEN_REJECTED'`)).slice(before.length);
    expect(rejected.map((r) => r.outcome_reason)).toEqual(cases.map((c) => c.reason));
    rejected.forEach((r, i) => {
      const c = cases[i]!;
      expect(r.kind).toBe('AUTHENTICATION');
      expect(r.user_agent).toBe(`access-log-test/${c.reason}`);
      expect(r.ip).toMatch(/127\.0\.0\.1|::1/);
      if (c.signedClaims && c.reason !== 'INVALID_ORGANISATION' && c.reason !== 'MISSING_CLAIMS')
        expect(r.subject_organisation_id).toBe(orgA);
      if (!c.signedClaims) expect([r.subject, r.subject_organisation_id, r.roles]).toEqual([null, null, []]);
    });
    expect(rejected.find((r) => r.outcome_reason === 'EXPIRED')?.subject).toBe('late-user');
    expect(rejected.find((r) => r.outcome_reason === 'MISSING_ROLE')).toMatchObject({
      subject: 'user-a',
      roles: ['allocation-system'],
    });
    // Never the token, nor any part of it.
    const stored = JSON.stringify(rejected);
    for (const c of cases) {
      const token = c.header.replace(/^(Bearer|Basic) /, '');
      for (const part of token.split('.')) if (part.length > 16) expect(stored).not.toContain(part);
    }
  });

  it('records an accepted token once (per token and hour), however often it is used', async () => {
    const token = t.token(orgA, ['allocation-system'], 'repeat-user');
    for (let i = 0; i < 3; i++)
      expect((await t.call('GET', `/registrations/${registrationA}`, token)).status).toBe(200);
    const accepted = await t.query<Row & { occurred_at: Date }>(
      `SELECT * FROM access_log_entries WHERE action = 'TOKEN_ACCEPTED' AND subject = 'repeat-user' ORDER BY id`,
    );
    // Once per clock hour: one entry, or two if the three calls straddled the hour, never two in one hour.
    const hours = accepted.map((a) => a.occurred_at.toISOString().slice(0, 13));
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(hours).size).toBe(accepted.length);
    expect(accepted[0]).toMatchObject({ subject_organisation_id: orgA, roles: ['allocation-system'] });
    expect(JSON.stringify(accepted)).not.toContain(token.split('.')[2]!);
    // A second token of the same user is a second session.
    await t.call(
      'GET',
      `/registrations/${registrationA}`,
      t.token(orgA, ['allocation-system'], 'repeat-user'),
    );
    expect(await entries(`action = 'TOKEN_ACCEPTED' AND subject = 'repeat-user'`)).toHaveLength(
      accepted.length + 1,
    );
  });

  it('records the names of changed fields, never their values', async () => {
    const token = t.token(orgA, ['allocation-system']);
    const res = await t.call('PATCH', `/registrations/${registrationA}`, token, {
      surname: 'Zwaan-Nieuwlaat',
      email: 'changed@example.org',
    });
    expect(res.status).toBe(200);
    const [entry] = await t.query<Record<string, unknown>>(
      `SELECT * FROM access_log_entries WHERE registration_id = $1 AND action = 'REGISTRATION_UPDATED'`,
      [registrationA],
    );
    expect(entry).toMatchObject({
      changed_fields: ['email', 'surname'],
      kind: 'ACCESS',
      organisation_id: orgA,
    });
    const stored = JSON.stringify(entry);
    expect(stored).not.toContain('Zwaan');
    expect(stored).not.toContain('changed@example.org');
  });

  it('names only the fields whose value changed; records before and after only of non-personal fields (issue 16 item 10)', async () => {
    const token = t.token(orgA, ['allocation-system']);
    const created = await t.call('POST', '/registrations', token, valid);
    const id = String(created.json.registrationId);
    // The surname is sent unchanged, the phone number changes.
    const res = await t.call('PATCH', `/registrations/${id}`, token, {
      surname: valid.surname,
      phone: '+31612345678',
    });
    expect(res.status).toBe(200);
    const [update] = await t.query<Record<string, unknown>>(
      `SELECT changed_fields, changed_values FROM access_log_entries WHERE registration_id = $1 AND action = 'REGISTRATION_UPDATED'`,
      [id],
    );
    expect(update).toEqual({ changed_fields: ['phone'], changed_values: {} });
    expect(JSON.stringify(update)).not.toContain('612345678');

    expect((await t.call('POST', `/registrations/${id}/deregister`, token)).status).toBe(200);
    const [ended] = await t.query<{ changed_fields: string[]; changed_values: Record<string, unknown> }>(
      `SELECT changed_fields, changed_values FROM access_log_entries WHERE registration_id = $1 AND action = 'REGISTRATION_DEREGISTERED'`,
      [id],
    );
    expect(ended!.changed_fields).toEqual(['deregisteredAt', 'status']);
    expect(ended!.changed_values).toMatchObject({
      status: { from: 'ACTIVE', to: 'DEREGISTERED' },
      deregisteredAt: { from: null },
    });
    const deregisteredAt = ended!.changed_values.deregisteredAt as { to: unknown };
    expect(String(deregisteredAt.to)).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // Auditors read the values through the API too.
    const page = await t.call(
      'GET',
      `/access-log?registrationId=${id}&action=REGISTRATION_DEREGISTERED`,
      t.token(orgA, ['auditor'], 'auditor-a'),
    );
    expect(page.status).toBe(200);
    expect((page.json.entries as { changedValues: unknown }[])[0]?.changedValues).toMatchObject({
      status: { from: 'ACTIVE', to: 'DEREGISTERED' },
    });
  });

  it("two tenants: B's auditor cannot read A's entries; A's auditor reads A's; the platform operator reads both", async () => {
    const auditorA = t.token(orgA, ['auditor'], 'auditor-a');
    const auditorB = t.token(orgB, ['auditor'], 'auditor-b');
    // B does something of its own, so B has entries too.
    const createdB = await t.call('POST', '/registrations', t.token(orgB, ['allocation-system']), valid);
    const registrationB = String(createdB.json.registrationId);

    type Page = {
      entries: {
        subjectOrganisationId: string | null;
        organisationId: string | null;
        registrationId: string | null;
      }[];
      nextCursor: string | null;
    };
    const read = async (token: string, query = '') => {
      const res = await t.call('GET', `/access-log?limit=500${query}`, token);
      expect(res.status).toBe(200);
      return (res.json as unknown as Page).entries;
    };
    const mine = (org: string) => (e: Page['entries'][number]) =>
      e.subjectOrganisationId === org || e.organisationId === org;

    const seenByB = await read(auditorB);
    expect(seenByB.length).toBeGreaterThan(0);
    expect(seenByB.every(mine(orgB))).toBe(true);
    expect(seenByB.some((e) => e.registrationId === registrationA)).toBe(false);
    // Asking for A by name, or for A's registration, gives B nothing.
    expect(await read(auditorB, `&organisationId=${orgA}`)).toEqual([]);
    expect(await read(auditorB, `&registrationId=${registrationA}`)).toEqual([]);
    // Nor does the per-registration view (404 as for a missing one).
    expect((await t.call('GET', `/registrations/${registrationA}/access-log`, auditorB)).status).toBe(404);

    const seenByA = await read(auditorA);
    expect(seenByA.every(mine(orgA))).toBe(true);
    expect(seenByA.some((e) => e.registrationId === registrationA)).toBe(true);
    expect(seenByA.some((e) => e.registrationId === registrationB)).toBe(false);

    const all = await read(t.platformOperator(), '&kind=ACCESS');
    expect(all.some((e) => e.registrationId === registrationA)).toBe(true);
    expect(all.some((e) => e.registrationId === registrationB)).toBe(true);

    // Only auditors, admins and the platform operator read it.
    expect((await t.call('GET', '/access-log', t.token(orgA, ['allocation-system']))).status).toBe(403);
  });

  it('pages newest first with an opaque cursor and refuses a forged one', async () => {
    const operator = t.platformOperator();
    const first = await t.call('GET', '/access-log?limit=2', operator);
    expect(first.status).toBe(200);
    const page1 = first.json as unknown as { entries: { id: string }[]; nextCursor: string };
    expect(page1.entries).toHaveLength(2);
    expect(BigInt(page1.entries[0]!.id) > BigInt(page1.entries[1]!.id)).toBe(true);
    const second = await t.call('GET', `/access-log?limit=2&cursor=${page1.nextCursor}`, operator);
    const page2 = second.json as unknown as { entries: { id: string }[] };
    expect(BigInt(page2.entries[0]!.id) < BigInt(page1.entries[1]!.id)).toBe(true);
    const forged = await t.call(
      'GET',
      `/access-log?cursor=${Buffer.from('1; DROP TABLE x').toString('base64url')}`,
      operator,
    );
    expect(forged.status).toBe(400);
    expect(forged.type).toContain('application/problem+json');
    for (const bad of ['limit=0', 'limit=501', 'from=yesterday', 'registrationId=nope', 'unknown=1']) {
      expect({ bad, status: (await t.call('GET', `/access-log?${bad}`, operator)).status }).toEqual({
        bad,
        status: 400,
      });
    }
  });

  it('keeps the caller, roles as an array and where the request came from on every access entry', async () => {
    await t.call(
      'GET',
      `/registrations/${registrationA}?purpose=ALLOCATION`,
      t.token(orgA, ['allocation-system', 'member'] as Role[], 'who-user'),
    );
    const [entry] = await entries(`subject = 'who-user' AND kind = 'ACCESS'`);
    expect(entry).toMatchObject({
      action: 'REGISTRATION_READ',
      subject_organisation_id: orgA,
      roles: ['allocation-system', 'member'],
    });
    expect(entry!.ip).toMatch(/127\.0\.0\.1|::1/);
    expect(entry!.user_agent).not.toBeNull();
  });
});
