import { randomUUID } from 'node:crypto';
import { OrganisationRegistered } from '@divit/contracts';
import { pendingSchemaChanges } from '@divit/persistence';
import { LocalTokenIssuer } from '@divit/service-kit';
import { eventually, RegistrationTestApp } from './support';

describe('registration: organisations and routes (real PostgreSQL, Kafka, registry)', () => {
  const t = new RegistrationTestApp();
  const issuer = t.issuer;
  let adminToken = '';
  let base = '';
  let db: RegistrationTestApp['db'];
  /** OrganisationRegistered as another service's consumer decodes it. */
  const received = () =>
    t.received
      .filter((e) => e.type === 'nl.divit.registration.OrganisationRegistered')
      .map((e) => ({
        key: e.key,
        value: e.value as unknown as OrganisationRegistered,
        ceType: e.headers.ce_type,
      }));

  beforeAll(async () => {
    await t.start();
    db = t.db;
    base = t.url;
    adminToken = t.token('platform', ['platform-operator'], 'operator-1');
  });

  afterAll(async () => {
    await t.stop();
  });

  async function post(
    body: unknown,
    token = adminToken,
  ): Promise<{ status: number; type: string | null; json: Record<string, unknown> }> {
    const res = await fetch(`${base}/organisations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      json: (await res.json()) as Record<string, unknown>,
    };
  }
  const count = async () =>
    Number(
      (await db.dataSource.query<{ c: number }[]>(`SELECT count(*)::int AS c FROM organisations`))[0]?.c,
    );
  const answers = {
    isHousingCorporation: false,
    allocatesAlone: false,
    isCollaborationWithAllocationAim: false,
    collaborationIsWoonruimteverdeler: false,
  };

  it('entities and migrations describe the same schema', async () => {
    expect(await pendingSchemaChanges(db.dataSource)).toEqual([]);
  });

  it('registers routes A, B and C and publishes OrganisationRegistered through the outbox', async () => {
    const a = await post({
      name: 'Woonstichting De Kade',
      answers: { ...answers, isHousingCorporation: true, allocatesAlone: true },
      effectiveFrom: '2026-01-01',
    });
    expect(a.status).toBe(201);
    expect(a.json).toMatchObject({ route: 'A', kind: 'CORPORATION', coordinatorOrganisationId: null });

    const b = await post({
      name: 'Woonnet Regio',
      answers: {
        ...answers,
        isCollaborationWithAllocationAim: true,
        collaborationIsWoonruimteverdeler: true,
      },
      effectiveFrom: '2026-01-01',
    });
    expect(b.json).toMatchObject({
      route: 'B',
      kind: 'HOUSING_ALLOCATOR',
      coordinatorOrganisationId: b.json.organisationId,
    });

    const c = await post({
      name: 'Samenwerkende Corporaties Noord',
      answers: { ...answers, isCollaborationWithAllocationAim: true },
      coordinatorOrganisationId: a.json.organisationId,
      // The primus inter pares is one of the founding members (ADR 0035).
      memberOrganisationIds: [a.json.organisationId],
      effectiveFrom: '2026-02-01',
    });
    expect(c.json).toMatchObject({
      route: 'C',
      kind: 'COLLABORATION',
      coordinatorOrganisationId: a.json.organisationId,
    });

    const got = await fetch(`${base}/organisations/${String(c.json.organisationId)}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(await got.json()).toMatchObject({
      route: 'C',
      routeHistory: [{ effectiveFrom: '2026-02-01', route: 'C' }],
    });

    const deadline = Date.now() + 30_000;
    while (received().length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(
      received()
        .map((r) => r.value.route)
        .sort(),
    ).toEqual(['A', 'B', 'C']);
    const eventC = received().find((r) => r.value.route === 'C');
    expect(eventC).toMatchObject({
      key: c.json.organisationId,
      ceType: 'nl.divit.registration.OrganisationRegistered',
      value: {
        organisationId: c.json.organisationId,
        coordinatorOrganisationId: a.json.organisationId,
        effectiveFrom: '2026-02-01',
      },
    });
    const outboxLeft = async () =>
      Number(
        (await db.dataSource.query<{ c: number }[]>(`SELECT count(*)::int AS c FROM outbox_messages`))[0]?.c,
      );
    await eventually(outboxLeft, {
      description: 'the relay to empty the outbox',
      until: (n) => n === 0,
      timeoutMs: 10_000,
    });
  });

  it.each([
    [
      'a party that is not a corporation',
      { name: 'Makelaar BV', answers, effectiveFrom: '2026-01-01' },
      422,
      'DIVIT_NOT_APPLICABLE',
    ],
    [
      'route C without primus inter pares',
      {
        name: 'SV Zonder PIP',
        answers: { ...answers, isCollaborationWithAllocationAim: true },
        effectiveFrom: '2026-01-01',
      },
      422,
      'COORDINATOR_REQUIRED',
    ],
    [
      'an unknown field',
      { name: 'X Wonen', answers, effectiveFrom: '2026-01-01', bsn: '1' },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'an impossible date',
      {
        name: 'X Wonen',
        answers: { ...answers, isHousingCorporation: true, allocatesAlone: true },
        effectiveFrom: '2026-02-30',
      },
      400,
      'VALIDATION_FAILED',
    ],
    ['missing answers', { name: 'X Wonen', effectiveFrom: '2026-01-01' }, 400, 'VALIDATION_FAILED'],
  ])('refuses %s with problem+json and writes nothing', async (_label, body, status, code) => {
    const before = await count();
    const res = await post(body);
    expect(res.status).toBe(status);
    expect(res.type).toContain('application/problem+json');
    expect(res.json.code).toBe(code);
    expect(await count()).toBe(before);
  });

  it('requires a valid bearer token and the platform-operator role to register (an organisation admin is refused)', async () => {
    const body = { name: 'Zonder Token', answers, effectiveFrom: '2026-01-01' };
    const none = await fetch(`${base}/organisations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect(((await none.json()) as { code: string }).code).toBe('UNAUTHENTICATED');
    const foreign = await post(
      body,
      new LocalTokenIssuer().sign({ subject: 'x', organisationId: 'y', roles: ['admin'] }),
    );
    expect(foreign).toMatchObject({
      status: 401,
      json: { code: 'UNAUTHENTICATED', detail: 'Invalid bearer token: unknown key id.' },
    });
    const notAnOrganisation = await post(
      body,
      issuer.sign({ subject: 'a-1', organisationId: 'o-1', roles: ['auditor'] }),
    );
    expect(notAnOrganisation).toMatchObject({
      status: 401,
      json: { code: 'UNAUTHENTICATED', detail: 'Invalid bearer token: org is not an organisation id.' },
    });
    const auditor = await post(
      body,
      issuer.sign({ subject: 'a-1', organisationId: randomUUID(), roles: ['auditor'] }),
    );
    expect(auditor).toMatchObject({ status: 403, json: { code: 'FORBIDDEN_ROLE' } });
    const organisationAdmin = await post(
      body,
      issuer.sign({ subject: 'a-2', organisationId: randomUUID(), roles: ['admin'] }),
    );
    expect(organisationAdmin).toMatchObject({ status: 403, json: { code: 'FORBIDDEN_ROLE' } });
    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(200);
  });

  it('refuses both ineligible branches of the decision tree with their reason', async () => {
    const notCorporation = await post({ name: 'Beleggingsfonds Y', answers, effectiveFrom: '2026-01-01' });
    expect(notCorporation).toMatchObject({
      status: 422,
      json: { code: 'DIVIT_NOT_APPLICABLE', reason: 'NOT_A_CORPORATION_OR_ALLOCATION_COLLABORATION' },
    });
    const throughCollaboration = await post({
      name: 'Corporatie In Verband',
      answers: { ...answers, isHousingCorporation: true },
      effectiveFrom: '2026-01-01',
    });
    expect(throughCollaboration).toMatchObject({
      status: 422,
      json: { code: 'DIVIT_NOT_APPLICABLE', reason: 'CORPORATION_ALLOCATES_THROUGH_COLLABORATION' },
    });
  });

  it("decides B or C by the tree's own question (a woonruimteverdeler under the Woningwet), still accepting its deprecated name", async () => {
    const collaboration = { ...answers, isCollaborationWithAllocationAim: true };
    const { collaborationIsWoonruimteverdeler: _named, ...withoutQuestion } = collaboration;
    void _named;
    const b = await post({
      name: `Woonruimteverdeler ${randomUUID().slice(0, 8)}`,
      answers: { ...collaboration, collaborationIsWoonruimteverdeler: true },
      effectiveFrom: '2026-01-01',
    });
    expect(b).toMatchObject({ status: 201, json: { route: 'B' } });
    // The deprecated name (before issue 16) still decides the same way.
    const deprecated = await post({
      name: `Oude Naam ${randomUUID().slice(0, 8)}`,
      answers: { ...withoutQuestion, collaborationIsLegalAllocator: true },
      effectiveFrom: '2026-01-01',
    });
    expect(deprecated).toMatchObject({ status: 201, json: { route: 'B' } });

    const before = await count();
    const missing = await post({
      name: 'Zonder Antwoord',
      answers: withoutQuestion,
      effectiveFrom: '2026-01-01',
    });
    expect(missing.status).toBe(400);
    expect((missing.json.errors as { field: string }[]).map((e) => e.field)).toEqual([
      'answers.collaborationIsWoonruimteverdeler',
    ]);
    const contradicting = await post({
      name: 'Tegenstrijdig',
      answers: {
        ...collaboration,
        collaborationIsWoonruimteverdeler: true,
        collaborationIsLegalAllocator: false,
      },
      effectiveFrom: '2026-01-01',
    });
    expect(contradicting.status).toBe(400);
    expect((contradicting.json.errors as { field: string }[]).map((e) => e.field)).toEqual([
      'answers.collaborationIsLegalAllocator',
    ]);
    expect(await count()).toBe(before);
  });

  it('refuses a primus inter pares that is not a registered corporation', async () => {
    const allocator = await post({
      name: 'Woonruimteverdeler Oost',
      answers: {
        ...answers,
        isCollaborationWithAllocationAim: true,
        collaborationIsWoonruimteverdeler: true,
      },
      effectiveFrom: '2026-01-01',
    });
    const before = await count();
    const collaboration = {
      name: 'SV Met Verkeerde PIP',
      answers: { ...answers, isCollaborationWithAllocationAim: true },
    };
    expect(
      await post({
        ...collaboration,
        coordinatorOrganisationId: allocator.json.organisationId,
        effectiveFrom: '2026-01-01',
      }),
    ).toMatchObject({ status: 422, json: { code: 'COORDINATOR_NOT_A_CORPORATION' } });
    expect(
      await post({
        ...collaboration,
        coordinatorOrganisationId: '00000000-0000-4000-8000-000000000000',
        effectiveFrom: '2026-01-01',
      }),
    ).toMatchObject({ status: 422, json: { code: 'COORDINATOR_UNKNOWN' } });
    expect(await count()).toBe(before);
  });

  it('names the invalid fields', async () => {
    const res = await post({ name: 'X', answers, effectiveFrom: 'tomorrow', extra: true });
    expect((res.json.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
      'effectiveFrom',
      'extra',
      'name',
    ]);
  });
});
