import { randomUUID } from 'node:crypto';
import { RegistrationCreatedEvent, RegistrationDeregisteredEvent } from '@divit/contracts';
import { Role } from '@divit/service-kit';
import { eventually } from '@divit/testing';
import { decisionAnswers, RegistrationTestApp } from './support';

describe('registration: home-seeker registrations (real PostgreSQL, Kafka, registry)', () => {
  const t = new RegistrationTestApp();
  const prefix = t.prefix;
  let orgA = '';
  let orgB = '';
  let db: RegistrationTestApp['db'];

  const token = (organisationId: string, roles: Role[] = ['allocation-system']) =>
    t.token(organisationId, roles);
  const call = (method: string, path: string, tok: string, body?: unknown) => t.call(method, path, tok, body);
  const count = (table: string) => t.count(table);

  const valid = {
    surnamePrefix: 'van der',
    surname: 'Çelik-de Vries',
    birthDate: '1990-05-17',
    genderMarker: 'X',
    postcode: '1234ab',
    houseNumber: 12,
    houseNumberAddition: 'A-2',
    email: 'seeker@example.org',
    phone: '+31 6 12345678',
    registrationDate: '2019-03-14',
    household: [
      { relation: 'PARTNER', surname: 'Jansen', birthDate: '1988-01-02' },
      { relation: 'CHILD', surname: 'Jansen', birthDate: '2019-06-30' },
    ],
  };

  beforeAll(async () => {
    await t.start();
    db = t.db;
    const adminToken = token('platform', ['platform-operator']);
    const no = decisionAnswers.routeA;
    orgA = String(
      (
        await call('POST', '/organisations', adminToken, {
          name: `Corporatie A ${prefix}`,
          answers: no,
          effectiveFrom: '2024-01-01',
        })
      ).json.organisationId,
    );
    orgB = String(
      (
        await call('POST', '/organisations', adminToken, {
          name: `Corporatie B ${prefix}`,
          answers: no,
          effectiveFrom: '2024-01-01',
        })
      ).json.organisationId,
    );
  });

  afterAll(async () => {
    await t.stop();
  });

  async function eventsFor(registrationId: string, n: number) {
    const events = await t.eventsMatching(
      (e) => e.key === registrationId && e.topic === 'registrationRegistrations',
      n,
      20_000,
    );
    return events.map((e) => ({ type: e.type, key: e.key ?? '', value: e.value }));
  }

  it('creates a registration with its household, logs the access and publishes a pseudonymous event', async () => {
    const res = await call('POST', '/registrations', token(orgA), valid);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      organisationId: orgA,
      surname: 'Çelik-de Vries',
      postcode: '1234 AB',
      registrationDate: '2019-03-14',
      status: 'ACTIVE',
      identity: { status: 'NOT_STARTED' },
    });
    expect(res.json.household).toHaveLength(2);
    const id = String(res.json.registrationId);
    const [event] = await eventsFor(id, 1);
    expect(event?.type).toBe(RegistrationCreatedEvent.type);
    // Pseudonymous: ids, dates and origin only.
    expect(Object.keys(event?.value ?? {}).sort()).toEqual([
      'occurredAt',
      'organisationId',
      'origin',
      'registrationDate',
      'registrationId',
    ]);
    expect(event?.value).toMatchObject({
      registrationId: id,
      organisationId: orgA,
      registrationDate: '2019-03-14',
      origin: 'API',
    });
    const log = await db.dataSource.query<{ action: string }[]>(
      `SELECT action FROM access_log_entries WHERE registration_id = $1`,
      [id],
    );
    expect(log.map((l) => l.action)).toEqual(['REGISTRATION_CREATED']);
  });

  it('shows a registration only to its organisation: another organisation gets the same 404 as a missing id', async () => {
    const created = await call('POST', '/registrations', token(orgA), { ...valid, household: [] });
    const id = String(created.json.registrationId);
    const own = await call('GET', `/registrations/${id}?purpose=ALLOCATION`, token(orgA));
    expect(own.status).toBe(200);
    const other = await call('GET', `/registrations/${id}`, token(orgB));
    const missing = await call('GET', `/registrations/${randomUUID()}`, token(orgB));
    expect(other.status).toBe(404);
    expect(other.type).toContain('application/problem+json');
    expect({ ...other.json, instance: undefined }).toEqual({ ...missing.json, instance: undefined });
    const log = await db.dataSource.query<
      { action: string; purpose: string; subject_organisation_id: string }[]
    >(
      `SELECT action, purpose, subject_organisation_id FROM access_log_entries WHERE registration_id = $1 ORDER BY id`,
      [id],
    );
    expect(log).toEqual([
      { action: 'REGISTRATION_CREATED', purpose: 'CASE_HANDLING', subject_organisation_id: orgA },
      { action: 'REGISTRATION_READ', purpose: 'ALLOCATION', subject_organisation_id: orgA },
    ]);
  });

  it('lets a route B allocator see and register for its member corporation, but not for others', async () => {
    const adminToken = token('platform', ['platform-operator']);
    const allocator = await call('POST', '/organisations', adminToken, {
      name: `Woonruimteverdeler ${prefix}`,
      answers: {
        isHousingCorporation: false,
        allocatesAlone: false,
        isCollaborationWithAllocationAim: true,
        collaborationIsWoonruimteverdeler: true,
      },
      effectiveFrom: '2024-01-01',
    });
    const allocatorId = String(allocator.json.organisationId);
    const membership = await call('POST', `/organisations/${allocatorId}/memberships`, adminToken, {
      memberOrganisationId: orgA,
      validFrom: '2024-01-01',
    });
    expect(membership.status).toBe(201);
    const ofMember = await call('POST', '/registrations', token(orgA), { ...valid, household: [] });
    const seen = await call(
      'GET',
      `/registrations/${String(ofMember.json.registrationId)}`,
      token(allocatorId, ['coordinator']),
    );
    expect(seen.status).toBe(200);
    const forMember = await call('POST', '/registrations', token(allocatorId), {
      ...valid,
      organisationId: orgA,
      household: [],
    });
    expect(forMember.status).toBe(201);
    const forOutsider = await call('POST', '/registrations', token(allocatorId), {
      ...valid,
      organisationId: orgB,
      household: [],
    });
    expect(forOutsider).toMatchObject({ status: 422, json: { code: 'ORGANISATION_NOT_VISIBLE' } });
    // The member corporation does not see the allocator's other members' registrations.
    const ofB = await call('POST', '/registrations', token(orgB), { ...valid, household: [] });
    expect((await call('GET', `/registrations/${String(ofB.json.registrationId)}`, token(orgA))).status).toBe(
      404,
    );
  });

  it.each([
    ['a future birth date', { birthDate: '2999-01-01' }, 'birthDate'],
    [
      'a seeker younger than 15',
      { birthDate: new Date(Date.now() - 5 * 365 * 864e5).toISOString().slice(0, 10) },
      'birthDate',
    ],
    ['an impossible date', { birthDate: '1990-02-30' }, 'birthDate'],
    ['a malformed postcode', { postcode: '0123 AB' }, 'postcode'],
    ['a forbidden postcode series', { postcode: '1234 SS' }, 'postcode'],
    ['a house number of zero', { houseNumber: 0 }, 'houseNumber'],
    ['a bad house number addition', { houseNumberAddition: 'A/12!' }, 'houseNumberAddition'],
    ['digits in a surname', { surname: 'Jansen2' }, 'surname'],
    ['a surname that is too long', { surname: 'a'.repeat(201) }, 'surname'],
    ['an unknown gender marker', { genderMarker: 'O' }, 'genderMarker'],
    ['a bad e-mail address', { email: 'not-an-email' }, 'email'],
    ['a future registration date', { registrationDate: '2999-01-01' }, 'registrationDate'],
    ['an unknown field', { bsn: '999999990' }, 'bsn'],
    [
      'a household member without surname',
      { household: [{ relation: 'CHILD', birthDate: '2020-01-01' }] },
      'household.0.surname',
    ],
  ])('refuses %s with 400 naming the field and writes nothing', async (_label, change, field) => {
    // The relay deletes published outbox rows in the background: start from a drained outbox.
    await eventually(() => count('outbox_messages'), {
      description: "count('outbox_messages') to satisfy (n) => n === 0",
      until: (n) => n === 0,
    });
    const before = [
      await count('registrations'),
      await count('household_members'),
      await count('outbox_messages'),
      await count(`access_log_entries WHERE kind = 'ACCESS'`),
    ];
    const res = await call('POST', '/registrations', token(orgA), { ...valid, ...change });
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    expect((res.json.errors as { field: string }[]).map((e) => e.field)).toContain(field);
    expect(JSON.stringify(res.json)).not.toContain('999999990');
    expect([
      await count('registrations'),
      await count('household_members'),
      await count('outbox_messages'),
      await count(`access_log_entries WHERE kind = 'ACCESS'`),
    ]).toEqual(before);
  });

  it('never changes the registration date through an update, and updates the rest', async () => {
    const created = await call('POST', '/registrations', token(orgA), valid);
    const id = String(created.json.registrationId);
    const refused = await call('PATCH', `/registrations/${id}`, token(orgA), {
      registrationDate: '2020-01-01',
    });
    expect(refused.status).toBe(400);
    expect((refused.json.errors as { field: string }[])[0]?.field).toBe('registrationDate');
    const updated = await call('PATCH', `/registrations/${id}`, token(orgA), {
      surname: 'De Vries',
      household: [],
    });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({
      surname: 'De Vries',
      registrationDate: '2019-03-14',
      household: [],
    });
    // The access log names the changed fields, never their values (nor the refused change).
    const [entry, ...more] = await db.dataSource.query<Record<string, unknown>[]>(
      `SELECT * FROM access_log_entries WHERE registration_id = $1 AND action = 'REGISTRATION_UPDATED'`,
      [id],
    );
    expect(more).toHaveLength(0);
    expect(entry).toMatchObject({ changed_fields: ['household', 'surname'], organisation_id: orgA });
    expect(JSON.stringify(entry)).not.toContain('De Vries');
  });

  it('deregisters once: a second call changes nothing and publishes no second event', async () => {
    const created = await call('POST', '/registrations', token(orgA), valid);
    const id = String(created.json.registrationId);
    const first = await call('POST', `/registrations/${id}/deregister`, token(orgA));
    const second = await call('POST', `/registrations/${id}/deregister`, token(orgA));
    expect(first.json).toMatchObject({ status: 'DEREGISTERED', registrationDate: '2019-03-14' });
    expect(second.json.deregisteredAt).toBe(first.json.deregisteredAt);
    const published = await eventsFor(id, 2);
    expect(published.map((e) => e.type)).toEqual([
      RegistrationCreatedEvent.type,
      RegistrationDeregisteredEvent.type,
    ]);
    expect((await call('PATCH', `/registrations/${id}`, token(orgA), { surname: 'X' })).json.code).toBe(
      'REGISTRATION_DEREGISTERED',
    );
  });

  it('lets auditors read the access log, which cannot be altered', async () => {
    const created = await call('POST', '/registrations', token(orgA), valid);
    const id = String(created.json.registrationId);
    await call('GET', `/registrations/${id}?purpose=SEEKER_REQUEST`, token(orgA, ['member']));
    expect((await call('GET', `/registrations/${id}/access-log`, token(orgA))).status).toBe(403);
    const log = await call('GET', `/registrations/${id}/access-log`, token(orgA, ['auditor']));
    expect(log.status).toBe(200);
    expect(
      (log.json as unknown as { action: string; purpose: string }[]).map((l) => `${l.action}:${l.purpose}`),
    ).toEqual([
      'REGISTRATION_CREATED:CASE_HANDLING',
      'REGISTRATION_READ:SEEKER_REQUEST',
      'REGISTRATION_READ:AUDIT',
    ]);
    await expect(
      db.dataSource.query(`UPDATE access_log_entries SET purpose = 'X' WHERE registration_id = $1`, [id]),
    ).rejects.toThrow('append-only');
  });
});
