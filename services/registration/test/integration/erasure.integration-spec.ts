import { randomUUID } from 'node:crypto';
import { ErasureRequestedEvent } from '@divit/contracts';
import type { ErasureRequested } from '@divit/contracts';
import { pendingSchemaChanges } from '@divit/persistence';
import { decisionAnswers, fieldsOf, RegistrationTestApp } from './support';
import { registrationMigrations } from '../../src/database/data-source';
import { ErasureAcknowledgementsReplaceAppliedErasures1766000000001 } from '../../src/database/migrations/1766000000001-erasure-acknowledgements-replace-applied-erasures';

/**
 * Issue #8, registration's part, on the real stack: allocation closure (AllocationClosed via the outbox) and
 * erasure commands from retention-cleanup (played with publish) applied to registration's own data and
 * acknowledged on divit.registration.erasures.v1.
 */
describe('registration: allocation closure and erasure commands (real PostgreSQL, Kafka, registry)', () => {
  const t = new RegistrationTestApp(undefined, ['dlqRegistration']);
  let admin = '';
  let corp = '';
  let system = '';

  const seeker = {
    surname: 'Çelik-de Vries',
    birthDate: '1990-05-17',
    genderMarker: 'X',
    postcode: '1234ab',
    houseNumber: 12,
    registrationDate: '2019-03-14',
    household: [{ relation: 'PARTNER', surname: 'Jansen', birthDate: '1988-01-02' }],
  };

  beforeAll(async () => {
    await t.start();
    admin = t.platformOperator();
    const res = await t.call('POST', '/organisations', admin, {
      name: `Woonstichting Wis ${t.prefix}`,
      answers: decisionAnswers.routeA,
      effectiveFrom: '2025-01-01',
    });
    corp = String(res.json.organisationId);
    system = t.token(corp, ['allocation-system'], 'allocation-system-wis');
  });
  afterAll(() => t.stop());

  const register = async () => {
    const res = await t.call('POST', '/registrations', system, seeker);
    expect(res.status).toBe(201);
    return String(res.json.registrationId);
  };
  const allocate = async (registrationId: string, dwelling: string) => {
    const res = await t.call('POST', '/allocations', system, {
      registrationId,
      dwellingReference: dwelling,
      lettingCorporationId: corp,
      monthlyRentCents: 65000,
      leaseStartDate: '2026-03-01',
      coResidents: [{ surname: 'Jansen', birthDate: '1988-01-02' }],
    });
    expect(res.status).toBe(201);
    return String(res.json.allocationId);
  };
  const command = (c: Partial<ErasureRequested> & Pick<ErasureRequested, 'category'>): ErasureRequested => ({
    erasureId: randomUUID(),
    targetService: 'REGISTRATION',
    reason: 'RETENTION_PERIOD_ENDED',
    policyId: `default/${c.category}`,
    organisationId: null,
    registrationId: null,
    subjectId: null,
    allocationId: null,
    recordedBefore: null,
    requestedAt: Date.now(),
    ...c,
  });
  const send = (value: ErasureRequested) =>
    t.publish(ErasureRequestedEvent, [{ key: value.registrationId ?? value.erasureId, value }]);
  const ackFor = async (erasureId: string, n = 1) =>
    (
      await t.eventsMatching(
        (e) =>
          e.type === 'nl.divit.registration.RegistrationErasureCompleted' && e.value.erasureId === erasureId,
        n,
      )
    ).map((e) => e.value);

  it('entities and migrations describe the same schema', async () => {
    expect(await pendingSchemaChanges(t.db.dataSource)).toEqual([]);
  });

  it('the erasures applied before the erasure library (applied_erasures, recreated by a revert) move into erasure_acknowledgements', async () => {
    const ds = t.db.dataSource;
    const moved = randomUUID();
    // Back to before 1766000000001 (the migrations after it first), then forward again.
    // Counted by timestamp, the order TypeORM runs and reverts them in (the shared libraries' migrations sit
    // earlier in the list but may be later in time).
    const stamp = (m: { name: string }) => Number(/(\d{13})$/.exec(m.name)?.[1]);
    const later = registrationMigrations.filter(
      (m) => stamp(m) >= stamp(ErasureAcknowledgementsReplaceAppliedErasures1766000000001),
    ).length;
    for (let i = 0; i < later; i++) await ds.undoLastMigration({ transaction: 'each' });
    await t.query(
      `INSERT INTO applied_erasures (erasure_id, category, erased_count, applied_at) VALUES ($1, 'REGISTRATION_DATA', 7, '2026-01-02T03:04:05Z')`,
      [moved],
    );
    expect(await ds.runMigrations({ transaction: 'each' })).toHaveLength(later);
    expect(await t.query(`SELECT to_regclass('applied_erasures') AS t`)).toEqual([{ t: null }]);
    const [row] = await t.query<Record<string, unknown>>(
      `SELECT owner, category, erased_count, acknowledged_at FROM erasure_acknowledgements WHERE erasure_id = $1`,
      [moved],
    );
    expect(row).toEqual({
      owner: 'REGISTRATION',
      category: 'REGISTRATION_DATA',
      erased_count: 7,
      acknowledged_at: new Date('2026-01-02T03:04:05Z'),
    });
  });

  it('closes an allocation once: AllocationClosed through the outbox; same outcome again is 200 with the same body; another is 409', async () => {
    const registrationId = await register();
    const allocationId = await allocate(registrationId, 'VHE-CLOSE-1');
    const first = await t.call('POST', `/allocations/${allocationId}/closure`, system, {
      outcome: 'LEASE_SIGNED',
    });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ allocationId, outcome: 'LEASE_SIGNED' });
    const again = await t.call('POST', `/allocations/${allocationId}/closure`, system, {
      outcome: 'LEASE_SIGNED',
    });
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first.json);
    const other = await t.call('POST', `/allocations/${allocationId}/closure`, system, {
      outcome: 'ENDED_WITHOUT_LEASE',
    });
    expect(other.status).toBe(409);
    expect(other.type).toContain('application/problem+json');
    expect(other.json.code).toBe('ALLOCATION_ALREADY_CLOSED');
    const bad = await t.call('POST', `/allocations/${allocationId}/closure`, system, { outcome: 'MAYBE' });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad)).toEqual(['outcome']);
    const outsider = t.token(randomUUID(), ['allocation-system']);
    expect(
      (await t.call('POST', `/allocations/${allocationId}/closure`, outsider, { outcome: 'LEASE_SIGNED' }))
        .status,
    ).toBe(404);
    expect(
      (
        await t.call('POST', `/allocations/${allocationId}/closure`, t.token(corp, ['member']), {
          outcome: 'LEASE_SIGNED',
        })
      ).status,
    ).toBe(403);

    const events = await t.eventsMatching(
      (e) => e.type === 'nl.divit.registration.AllocationClosed' && e.value.allocationId === allocationId,
      1,
    );
    expect(events).toHaveLength(1);
    expect(events[0]?.value).toMatchObject({ registrationId, organisationId: corp, outcome: 'LEASE_SIGNED' });
  });

  it('IDENTIFYING_DATA_FOR_CHECK clears gender marker, postcode and house number and acknowledges; a re-sent command is not applied or acknowledged again', async () => {
    const registrationId = await register();
    const c = command({
      category: 'IDENTIFYING_DATA_FOR_CHECK',
      registrationId,
      reason: 'CONSENT_WITHDRAWN',
    });
    await send(c);
    const [ack] = await ackFor(c.erasureId);
    expect(ack).toMatchObject({
      erasureId: c.erasureId,
      category: 'IDENTIFYING_DATA_FOR_CHECK',
      erasedCount: 1,
    });
    const [row] = await t.query(
      `SELECT gender_marker, postcode, house_number, surname FROM registrations WHERE id = $1`,
      [registrationId],
    );
    expect(row).toEqual({ gender_marker: null, postcode: null, house_number: null, surname: seeker.surname });
    await send({ ...c, requestedAt: Date.now() });
    // A later command on the same key (partition) is acknowledged only after the re-sent one was consumed.
    const after = command({
      category: 'IDENTIFYING_DATA_FOR_CHECK',
      registrationId,
      reason: 'CONSENT_WITHDRAWN',
    });
    await send(after);
    expect(await ackFor(after.erasureId)).toEqual([expect.objectContaining({ erasedCount: 0 })]);
    expect(
      t.received.filter(
        (e) =>
          e.type === 'nl.divit.registration.RegistrationErasureCompleted' &&
          e.value.erasureId === c.erasureId,
      ),
    ).toHaveLength(1);
    expect(
      await t.query(`SELECT erased_count FROM erasure_acknowledgements WHERE erasure_id = $1`, [c.erasureId]),
    ).toEqual([{ erased_count: 1 }]);
  });

  /** A concordance row of the dossier import (the integrated dossier), last changed `age` ago. */
  const concordanceRow = async (registrationId: string, dossierNumber: string, age = '0 seconds') => {
    await t.query(
      `INSERT INTO dossier_concordance (source_system, dossier_number, registration_id, organisation_id, person_key,
         row_hash, surname, birth_date, postcode, house_number, registration_date, first_load_id, last_load_id,
         created_at, updated_at)
       VALUES ('wvl-zemst', $2, $1, $3, '\\x01', '\\x02', 'Peeters', '1970-01-01', '1234AB', 1, '2015-01-01',
         gen_random_uuid(), gen_random_uuid(), now() - $4::interval, now() - $4::interval)`,
      [registrationId, dossierNumber, corp, age],
    );
  };
  const concordanceOf = (registrationId: string) =>
    t.query<{ dossier_number: string }>(
      `SELECT dossier_number FROM dossier_concordance WHERE registration_id = $1 ORDER BY dossier_number`,
      [registrationId],
    );

  it('REGISTRATION_DATA erases a deregistered registration with household and allocations, leaving a pseudonymous tombstone; an active one is untouched', async () => {
    const gone = await register();
    await allocate(gone, 'VHE-ERASE-1');
    await concordanceRow(gone, 'Z-1');
    expect((await t.call('POST', `/registrations/${gone}/deregister`, system)).status).toBe(200);
    const active = await register();

    const c = command({
      category: 'REGISTRATION_DATA',
      registrationId: gone,
      organisationId: corp,
      reason: 'REGISTRATION_DEREGISTERED',
    });
    await send(c);
    const [ack] = await ackFor(c.erasureId);
    // registration + 1 household member + 1 allocation + 2 allocation members
    expect(ack?.erasedCount).toBe(5);
    expect(await t.query(`SELECT 1 FROM registrations WHERE id = $1`, [gone])).toEqual([]);
    expect(await t.query(`SELECT 1 FROM household_members WHERE registration_id = $1`, [gone])).toEqual([]);
    expect(await t.query(`SELECT 1 FROM allocations WHERE registration_id = $1`, [gone])).toEqual([]);
    const tombstone = await t.query(
      `SELECT organisation_id, registration_date::text, erasure_id FROM erased_registrations WHERE registration_id = $1`,
      [gone],
    );
    expect(tombstone).toEqual([
      expect.objectContaining({
        organisation_id: corp,
        registration_date: '2019-03-14',
        erasure_id: c.erasureId,
      }),
    ]);
    expect((await t.call('GET', `/registrations/${gone}`, system)).status).toBe(404);
    // Issue 16 item 12: the integrated dossier and its concordance row outlive the registration (three years,
    // MIGRATED_DOSSIERS); before, REGISTRATION_DATA deleted them with it after one year.
    expect(await concordanceOf(gone)).toEqual([{ dossier_number: 'Z-1' }]);

    const notYet = command({ category: 'REGISTRATION_DATA', registrationId: active });
    await send(notYet);
    const [zero] = await ackFor(notYet.erasureId);
    expect(zero?.erasedCount).toBe(0);
    expect(await t.query(`SELECT 1 FROM registrations WHERE id = $1`, [active])).toHaveLength(1);
  });

  it('ACCESS_LOGS: only the retention function removes access-log rows, up to the cut-off', async () => {
    const registrationId = await register();
    expect((await t.call('GET', `/registrations/${registrationId}`, system)).status).toBe(200);
    await expect(
      t.query(`DELETE FROM access_log_entries WHERE registration_id = $1`, [registrationId]),
    ).rejects.toThrow(/append-only/);
    await expect(t.query(`UPDATE access_log_entries SET purpose = 'x'`)).rejects.toThrow(/append-only/);
    const [counted] = await t.query<{ n: number }>(`SELECT count(*)::int AS n FROM access_log_entries`);
    const [cutRow] = await t.query<{ cut: Date }>(
      `SELECT max(occurred_at) + interval '1 millisecond' AS cut FROM access_log_entries`,
    );
    // A row after the cut-off stays.
    expect((await t.call('GET', `/registrations/${registrationId}`, system)).status).toBe(200);

    const c = command({ category: 'ACCESS_LOGS', recordedBefore: cutRow!.cut.getTime() });
    await send(c);
    const [ack] = await ackFor(c.erasureId);
    expect(ack?.erasedCount).toBe(counted!.n);
    const left = await t.query<{ action: string }>(`SELECT action FROM access_log_entries`);
    expect(left.length).toBeGreaterThanOrEqual(1);
    expect(left.map((r) => r.action)).toContain('REGISTRATION_READ');
  });

  it('ignores commands for other services and dead-letters a category registration does not own', async () => {
    // Same key: one partition, so the ignored command is consumed before the misrouted one.
    const registrationId = randomUUID();
    const other = command({ category: 'HASHED_BSN', targetService: 'IDENTITY_VALIDATION', registrationId });
    const misrouted = command({ category: 'HASHED_BSN', registrationId });
    await send(other);
    await send(misrouted);
    const dead = await t.eventsMatching(
      (e) => e.topic === 'dlqRegistration' && e.value.erasureId === misrouted.erasureId,
      1,
    );
    expect(dead[0]?.headers).toMatchObject({ dlq_error_code: 'ERASURE_CATEGORY_NOT_OWNED' });
    expect(t.received.filter((e) => e.value.erasureId === other.erasureId)).toEqual([]);
    expect(
      await t.query(`SELECT 1 FROM erasure_acknowledgements WHERE erasure_id = $1`, [other.erasureId]),
    ).toEqual([]);
  });

  it('dataset policies of the migration (issue 16 item 12): MIGRATED_DOSSIERS deletes concordance rows last changed before the cut-off, IMPORT_REJECTS the rejected rows of older loads; an unknown dataset is dead-lettered', async () => {
    const old = await register();
    const recent = await register();
    await concordanceRow(old, 'Z-OLD', '3 years 1 day');
    await concordanceRow(recent, 'Z-NEW', '2 years 364 days');
    // A concordance row whose registration REGISTRATION_DATA already erased (the tombstone's id) goes by age too.
    const erased = randomUUID();
    await concordanceRow(erased, 'Z-ERASED', '4 years');
    const threeYearsAgo = (await t.query<{ at: Date }>(`SELECT now() - interval '3 years' AS at`))[0]!.at;

    const dossiers = command({
      category: 'REGISTRATION_DATA',
      policyId: 'default/REGISTRATION_DATA/MIGRATED_DOSSIERS',
      recordedBefore: threeYearsAgo.getTime(),
    });
    await send(dossiers);
    const [dossiersAck] = await ackFor(dossiers.erasureId);
    expect(dossiersAck?.erasedCount).toBe(2);
    expect(await concordanceOf(old)).toEqual([]);
    expect(await concordanceOf(erased)).toEqual([]);
    expect(await concordanceOf(recent)).toEqual([{ dossier_number: 'Z-NEW' }]);
    // Only the dossier copies: the registrations themselves are untouched.
    expect(await t.query(`SELECT status FROM registrations WHERE id = $1`, [old])).toEqual([
      { status: 'ACTIVE' },
    ]);

    const oldLoad = randomUUID();
    const newLoad = randomUUID();
    await t.query(
      `INSERT INTO dossier_import_loads (id, source_system, mode, status, started_at, finished_at)
       VALUES ($1, 'wvl-zemst', 'full', 'COMPLETED', now() - interval '91 days', now() - interval '91 days'),
              ($2, 'wvl-zemst', 'delta', 'COMPLETED', now() - interval '89 days', now() - interval '89 days')`,
      [oldLoad, newLoad],
    );
    await t.query(
      `INSERT INTO dossier_import_rejects (load_id, line_number, reasons, record)
       VALUES ($1, 2, 'birth_date: required', '{"surname": "Peeters"}'), ($1, 3, 'surname: required', '{}'),
              ($2, 2, 'postcode: required', '{"surname": "Janssens"}')`,
      [oldLoad, newLoad],
    );
    const rejects = command({
      category: 'REGISTRATION_DATA',
      policyId: 'default/REGISTRATION_DATA/IMPORT_REJECTS',
      recordedBefore: Date.now() - 90 * 86_400_000,
    });
    await send(rejects);
    const [rejectsAck] = await ackFor(rejects.erasureId);
    expect(rejectsAck?.erasedCount).toBe(2);
    expect(
      await t.query(`SELECT load_id, line_number FROM dossier_import_rejects ORDER BY line_number`),
    ).toEqual([{ load_id: newLoad, line_number: 2 }]);
    // The load and its counts stay.
    expect(await t.query(`SELECT id FROM dossier_import_loads WHERE id = $1`, [oldLoad])).toHaveLength(1);

    // A dataset registration does not know is refused, never taken for the whole category.
    const unknown = command({
      category: 'REGISTRATION_DATA',
      policyId: 'default/REGISTRATION_DATA/EVERYTHING',
      recordedBefore: Date.now(),
    });
    await send(unknown);
    const dead = await t.eventsMatching(
      (e) => e.topic === 'dlqRegistration' && e.value.erasureId === unknown.erasureId,
      1,
    );
    expect(dead[0]?.headers).toMatchObject({ dlq_error_code: 'ERASURE_CATEGORY_NOT_OWNED' });
    expect(await concordanceOf(recent)).toEqual([{ dossier_number: 'Z-NEW' }]);
    expect(
      await t.query(`SELECT 1 FROM erasure_acknowledgements WHERE erasure_id = $1`, [unknown.erasureId]),
    ).toEqual([]);
  });
});
