import { randomUUID } from 'node:crypto';
import {
  BillingErasureCompletedEvent,
  ConsentErasureCompletedEvent,
  ConsentWithdrawnEvent,
  IdentityErasureCompletedEvent,
  IdentityValidationFailedEvent,
  IncomeDecisionMadeEvent,
  IncomeErasureCompletedEvent,
  RegistrationDeregisteredEvent,
  RegistrationErasureCompletedEvent,
  AllocationClosedEvent,
  ErasureRequestedEvent,
} from '@divit/contracts';
import { createKafka } from '@divit/messaging';
import type { DataCategory, OwningService } from '@divit/contracts';
import { pendingSchemaChanges } from '@divit/persistence';
import { fieldsOf, RetentionTestApp, eventually } from './support';

const ackDescriptor = {
  REGISTRATION: RegistrationErasureCompletedEvent,
  CONSENT: ConsentErasureCompletedEvent,
  IDENTITY_VALIDATION: IdentityErasureCompletedEvent,
  INCOME_RETRIEVAL: IncomeErasureCompletedEvent,
  BILLING_RECONCILIATION: BillingErasureCompletedEvent,
} as const;

interface Command {
  erasureId: string;
  targetService: OwningService;
  category: DataCategory;
  reason: string;
  registrationId: string | null;
  organisationId: string | null;
  recordedBefore: number | null;
}

describe('retention-cleanup: erasure orchestration on the real stack', () => {
  // Commands are re-sent at every sweep while unacknowledged, and anything due and unacknowledged is overdue.
  const t = new RetentionTestApp({ ERASURE_RESEND_AFTER_SECONDS: '0', ERASURE_OVERDUE_AFTER_SECONDS: '0' });
  let admin: string;
  let auditor: string;
  let member: string;
  const org = randomUUID();

  beforeAll(async () => {
    await t.start();
    // These scenarios span several organisations (sweeps, the deletion log): the platform operator plays admin and
    // auditor here. An organisation's own admin and auditor are scoped: tenancy.integration-spec.ts.
    admin = t.platformOperator();
    auditor = t.platformOperator();
    member = t.token(org, ['member']);
  });
  afterAll(() => t.stop());

  const commandsFor = (registrationId: string, n: number) =>
    t.commandsMatching((v) => v.registrationId === registrationId, n) as Promise<unknown[]> as Promise<
      Command[]
    >;

  /** Plays the owning service: acknowledges the command on its own erasures topic. */
  async function ack(
    command: Pick<Command, 'erasureId' | 'category' | 'targetService'>,
    erasedCount: number,
  ) {
    const descriptor = ackDescriptor[command.targetService];
    await t.publish(descriptor, [
      {
        key: command.erasureId,
        value: {
          erasureId: command.erasureId,
          category: command.category,
          erasedCount,
          completedAt: Date.now(),
        },
      },
    ]);
  }

  async function deletionLog(filter = '') {
    const res = await t.call('GET', `/deletion-log${filter}`, auditor);
    return (res.json.records ?? []) as { erasureId: string; erasedCount: number; targetService: string }[];
  }

  it('has migrations that match the entities', async () => {
    expect(await pendingSchemaChanges(t.db.dataSource)).toEqual([]);
  });

  it('withdrawal: hashed BSN and unused income are erased at once; used income stays until end of year t+2', async () => {
    const registrationId = randomUUID();
    const allocationId = randomUUID();
    const decidedAt = Date.UTC(2025, 5, 15, 10, 0, 0);
    await t.publish(IncomeDecisionMadeEvent, [
      {
        key: allocationId,
        value: {
          decisionId: randomUUID(),
          allocationId,
          registrationId,
          organisationId: org,
          lettingCorporationId: org,
          outcome: 'ELIGIBLE',
          alternativeRouteReason: null,
          failedMemberId: null,
          passendCategory: 'ONE_PERSON',
          withinPassendLimit: true,
          passend: true,
          householdSize: 1,
          incomeYear: 2024,
          normVersion: '2025-01-01',
          decidedAt,
          evidenceReference: 'income-retrieval:statements/x',
        },
      },
    ]);
    const used = await eventually(
      () =>
        t.query<{ due_at: Date; status: string }>(
          `SELECT due_at, status FROM scheduled_erasures WHERE registration_id = $1 AND category = 'USED_INCOME'`,
          [registrationId],
        ),
      {
        description:
          't.query<{ due_at: Date; status: string }>( `SELECT due_at, status FROM scheduled_erasures … to satisfy (rows) => rows.length === 1',
        until: (rows) => rows.length === 1,
      },
    );
    // Decision in 2025 (t): kept until the end of 2027 (t+2), i.e. due at 2028-01-01 00:00 Amsterdam.
    expect(used[0]?.due_at.toISOString()).toBe('2027-12-31T23:00:00.000Z');
    expect(used[0]?.status).toBe('SCHEDULED');

    await t.publish(ConsentWithdrawnEvent, [
      {
        key: registrationId,
        value: {
          consentId: randomUUID(),
          organisationId: org,
          registrationId,
          subjectId: registrationId,
          subjectRole: 'HOME_SEEKER',
          allocationId,
          purpose: 'BSN_AND_INCOME_AT_ALLOCATION',
          withdrawnAt: Date.now(),
        },
      },
    ]);
    const commands = await commandsFor(registrationId, 3);
    const byCategory = new Map(commands.map((c) => [c.category, c]));
    expect(byCategory.get('HASHED_BSN')).toMatchObject({
      targetService: 'IDENTITY_VALIDATION',
      reason: 'CONSENT_WITHDRAWN',
      subjectId: registrationId,
      allocationId,
      policyId: 'default/HASHED_BSN',
    });
    expect(byCategory.get('UNUSED_INCOME')).toMatchObject({
      targetService: 'INCOME_RETRIEVAL',
      reason: 'CONSENT_WITHDRAWN',
    });
    expect(byCategory.get('IDENTIFYING_DATA_FOR_CHECK')).toMatchObject({ targetService: 'REGISTRATION' });
    // Issued in the same transaction as the other two: had it been issued it would be here.
    expect(commands.filter((c) => c.category === 'USED_INCOME')).toEqual([]);
    const still = await t.query<{ status: string }>(
      `SELECT status FROM scheduled_erasures WHERE registration_id = $1 AND category = 'USED_INCOME'`,
      [registrationId],
    );
    expect(still).toEqual([{ status: 'SCHEDULED' }]);
  });

  it('failure: the BSN data is erased and the acknowledgement lands in the deletion log', async () => {
    const registrationId = randomUUID();
    await t.publish(IdentityValidationFailedEvent, [
      {
        key: registrationId,
        value: {
          consentId: randomUUID(),
          registrationId,
          subjectId: registrationId,
          subjectRole: 'HOME_SEEKER',
          purpose: 'BSN_AT_REGISTRATION',
          failure: 'U3_BSN_CHECK_FAILED',
          failedAt: Date.now(),
          allocationId: null,
        },
      },
    ]);
    const commands = await commandsFor(registrationId, 2);
    const bsn = commands.find((c) => c.category === 'HASHED_BSN');
    expect(bsn).toMatchObject({ targetService: 'IDENTITY_VALIDATION', reason: 'PROCEDURE_FAILED' });
    await ack(bsn!, 1);
    const log = await eventually(() => deletionLog(`?subjectPseudonym=${registrationId}`), {
      description:
        'deletionLog(`?subjectPseudonym=${registrationId}`) to satisfy (rows) => rows.length === 1',
      until: (rows) => rows.length === 1,
    });
    expect(log[0]).toMatchObject({
      erasureId: bsn!.erasureId,
      erasedCount: 1,
      targetService: 'IDENTITY_VALIDATION',
    });
  });

  it('policies: defaults with sources; overrides validated against the legal bounds (problem+json)', async () => {
    const list = await t.call('GET', '/policies', auditor);
    expect(list.status).toBe(200);
    const policies = list.json as unknown as { category: string; retention: string; source: string }[];
    expect(policies).toHaveLength(9);
    expect(policies.find((p) => p.category === 'ACCESS_LOGS')).toMatchObject({
      retention: 'P12M',
      assumption: true,
    });

    const tooShort = await t.call('PUT', `/policies/INVOICES_AND_REPORTS/organisations/${org}`, admin, {
      retention: 'P1Y',
      reason: 'try',
    });
    expect(tooShort.status).toBe(422);
    expect(tooShort.type).toContain('application/problem+json');
    expect(tooShort.json).toMatchObject({ code: 'RETENTION_OUT_OF_BOUNDS' });
    expect(String(tooShort.json.detail)).toContain('minimum P7Y');

    const bad = await t.call('PUT', `/policies/ACCESS_LOGS/organisations/${org}`, admin, {
      retention: '12 months',
    });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad)).toEqual(['reason', 'retention']);

    const forbidden = await t.call('PUT', `/policies/ACCESS_LOGS/organisations/${org}`, member, {
      retention: 'P6M',
      reason: 'x',
    });
    expect(forbidden.status).toBe(403);
    const unknownCategory = await t.call('PUT', `/policies/NAMES/organisations/${org}`, admin, {
      retention: 'P6M',
      reason: 'x',
    });
    expect(unknownCategory.status).toBe(400);
    expect(fieldsOf(unknownCategory)).toEqual(['category']);
  });

  it('the migration datasets (issue 16 item 12): a sweep sends registration an age erasure per dataset policy, three years for migrated dossiers; the ack lands in the deletion log with the policy id', async () => {
    const policies = await t.call('GET', '/policies', auditor);
    const registrationData = (
      policies.json as unknown as {
        category: string;
        datasets?: { dataset: string; retention: string; source: string }[];
      }[]
    ).find((p) => p.category === 'REGISTRATION_DATA');
    expect(registrationData?.datasets?.map((d) => [d.dataset, d.retention])).toEqual([
      ['MIGRATED_DOSSIERS', 'P3Y'],
      ['IMPORT_REJECTS', 'P90D'],
    ]);

    const sweep = await t.call('POST', '/sweeps', admin);
    expect(sweep.status).toBe(200);
    const rows = await t.query<{
      erasure_id: string;
      category: string;
      target_service: string;
      reason: string;
      policy_id: string;
      organisation_id: string | null;
      registration_id: string | null;
      exact: boolean;
    }>(
      `SELECT erasure_id, category, target_service, reason, policy_id, organisation_id, registration_id,
              recorded_before = trigger_at - CASE policy_id WHEN 'default/REGISTRATION_DATA/MIGRATED_DOSSIERS'
                THEN interval '3 years' ELSE interval '90 days' END AS exact
       FROM scheduled_erasures WHERE policy_id LIKE 'default/REGISTRATION_DATA/%' ORDER BY policy_id`,
    );
    expect(rows.map(({ erasure_id: _id, ...r }) => r)).toEqual([
      {
        category: 'REGISTRATION_DATA',
        target_service: 'REGISTRATION',
        reason: 'RETENTION_PERIOD_ENDED',
        policy_id: 'default/REGISTRATION_DATA/IMPORT_REJECTS',
        organisation_id: null,
        registration_id: null,
        exact: true,
      },
      {
        category: 'REGISTRATION_DATA',
        target_service: 'REGISTRATION',
        reason: 'RETENTION_PERIOD_ENDED',
        policy_id: 'default/REGISTRATION_DATA/MIGRATED_DOSSIERS',
        organisation_id: null,
        registration_id: null,
        exact: true,
      },
    ]);
    const ids = new Set(rows.map((r) => r.erasure_id));
    const sent = (await t.commandsMatching(
      (v) => ids.has(v.erasureId as string),
      2,
    )) as unknown as (Command & {
      policyId: string;
    })[];
    expect(sent.every((c) => c.recordedBefore !== null && c.category === 'REGISTRATION_DATA')).toBe(true);

    // While one is open, the next sweep schedules no second one of the same dataset (it re-sends the first).
    await t.call('POST', '/sweeps', admin);
    expect(
      await t.query(
        `SELECT count(*)::int AS n FROM scheduled_erasures WHERE policy_id LIKE 'default/REGISTRATION_DATA/%'`,
      ),
    ).toEqual([{ n: 2 }]);

    for (const c of sent) await ack(c, 3);
    const log = await eventually(() => deletionLog('?category=REGISTRATION_DATA'), {
      description: 'the two dataset erasures in the deletion log',
      until: (found) => [...ids].every((id) => found.some((r) => r.erasureId === id)),
    });
    expect(
      (log as unknown as { erasureId: string; policyId: string; erasedCount: number }[])
        .filter((r) => ids.has(r.erasureId))
        .map((r) => [r.policyId, r.erasedCount])
        .sort(),
    ).toEqual([
      ['default/REGISTRATION_DATA/IMPORT_REJECTS', 3],
      ['default/REGISTRATION_DATA/MIGRATED_DOSSIERS', 3],
    ]);
  });

  it('an expired policy: a sweep sends commands to every owning service; the acks make the deletion log', async () => {
    const sweepOrg = randomUUID();
    const registrationId = randomUUID();
    await t.publish(RegistrationDeregisteredEvent, [
      {
        key: registrationId,
        value: { registrationId, organisationId: sweepOrg, occurredAt: Date.now() - 60_000 },
      },
    ]);
    // P0D categories go at once; registration data (1 year) and consent proofs (2 years) wait.
    await commandsFor(registrationId, 2);
    const waiting = await eventually(
      () => t.call('GET', `/erasures?registrationId=${registrationId}&status=SCHEDULED`, admin),
      {
        description:
          "t.call('GET', `/erasures?registrationId=${registrationId}&status=SCHEDULED`, admin) to satisfy (r) => (r.json as unknown as unknown[]).length === 2",
        until: (r) => (r.json as unknown as unknown[]).length === 2,
      },
    );
    expect((waiting.json as unknown as { category: string }[]).map((e) => e.category).sort()).toEqual([
      'CONSENT_PROOFS',
      'REGISTRATION_DATA',
    ]);

    for (const category of ['REGISTRATION_DATA', 'CONSENT_PROOFS', 'ACCESS_LOGS']) {
      const set = await t.call('PUT', `/policies/${category}/organisations/${sweepOrg}`, admin, {
        retention: 'PT1S',
        reason: 'test: tiny retention',
      });
      expect(set.status).toBe(200);
      expect(set.json).toMatchObject({
        policyId: `${sweepOrg}/${category}`,
        retention: 'PT1S',
        overridden: true,
      });
      if (category !== 'ACCESS_LOGS') expect(set.json.rescheduled).toBe(1);
    }
    const effective = await t.call('GET', `/policies?organisationId=${sweepOrg}`, auditor);
    expect(
      (effective.json as unknown as { category: string; retention: string }[]).find(
        (p) => p.category === 'ACCESS_LOGS',
      ),
    ).toMatchObject({ retention: 'PT1S' });

    const sweep = await t.call('POST', '/sweeps', admin);
    expect(sweep.status).toBe(200);
    const issued = sweep.json.issued as (Command & { policyId: string; recordedBefore: string | null })[];
    const mine = issued.filter((c) => c.registrationId === registrationId || c.policyId.startsWith(sweepOrg));
    const services = new Set(mine.map((c) => c.targetService));
    expect([...services].sort()).toEqual([
      'BILLING_RECONCILIATION',
      'CONSENT',
      'IDENTITY_VALIDATION',
      'INCOME_RETRIEVAL',
      'REGISTRATION',
    ]);
    expect(mine.filter((c) => c.category === 'ACCESS_LOGS')).toHaveLength(5);
    for (const c of mine.filter((x) => x.category === 'ACCESS_LOGS')) expect(c.recordedBefore).not.toBeNull();
    expect(mine.map((c) => c.category)).toEqual(
      expect.arrayContaining(['REGISTRATION_DATA', 'CONSENT_PROOFS']),
    );
    // The commands really went out on the topic.
    const ids = new Set(mine.map((c) => c.erasureId));
    await t.commandsMatching((v) => ids.has(v.erasureId as string), ids.size);

    let n = 1;
    for (const c of mine) await ack(c, n++);
    const log = await eventually(() => deletionLog(), {
      description:
        'deletionLog() to satisfy (rows) => mine.every((c) => rows.some((r) => r.erasureId === c.erasureId))',
      until: (rows) => mine.every((c) => rows.some((r) => r.erasureId === c.erasureId)),
    });
    const logged = log.filter((r) => ids.has(r.erasureId));
    expect(logged).toHaveLength(mine.length);
    expect(new Set(logged.map((r) => r.targetService)).size).toBe(5);

    const csv = await t.call('GET', '/deletion-log/export.csv', auditor);
    expect(csv.status).toBe(200);
    expect(csv.type).toContain('text/csv');
    expect(csv.text.split('\r\n')[0]).toBe(
      'erasureId,category,targetService,reason,policyId,subjectPseudonym,organisationId,allocationId,recordedBefore,requestedAt,completedAt,erasedCount',
    );
    for (const c of mine) expect(csv.text).toContain(c.erasureId);
    expect((await t.call('GET', '/deletion-log', member)).status).toBe(403);

    // The proof is append-only.
    await expect(t.query(`UPDATE deletion_log SET erased_count = 0`)).rejects.toThrow(/append-only/);
    await expect(t.query(`DELETE FROM deletion_log`)).rejects.toThrow(/append-only/);
  });

  it('a legal hold keeps erasures due but unissued; lifting it lets them through; both are audited', async () => {
    const registrationId = randomUUID();
    const bad = await t.call('POST', '/legal-holds', admin, { reason: 'x', owner: 'legal' });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad)).toEqual(['subjectId']);
    const hold = await t.call('POST', '/legal-holds', admin, {
      subjectId: registrationId,
      reason: 'complaint procedure 2025-031',
      owner: 'legal department',
    });
    expect(hold.status).toBe(201);
    expect(hold.json).toMatchObject({ active: true, subjectId: registrationId });

    await t.publish(AllocationClosedEvent, [
      {
        key: randomUUID(),
        value: {
          allocationId: randomUUID(),
          registrationId,
          organisationId: org,
          outcome: 'ENDED_WITHOUT_LEASE',
          closedAt: Date.now(),
        },
      },
    ]);
    const held = await eventually(() => t.call('GET', `/erasures?registrationId=${registrationId}`, admin), {
      description:
        "t.call('GET', `/erasures?registrationId=${registrationId}`, admin) to satisfy (r) => (r.json as unknown as unknown[]).length === 1",
      until: (r) => (r.json as unknown as unknown[]).length === 1,
    });
    expect((held.json as unknown as Record<string, unknown>[])[0]).toMatchObject({
      category: 'UNUSED_INCOME',
      reason: 'ALLOCATION_ENDED_WITHOUT_LEASE',
      status: 'SCHEDULED',
      held: true,
    });
    const sweep = await t.call('POST', '/sweeps', admin);
    expect((sweep.json.issued as Command[]).filter((c) => c.registrationId === registrationId)).toEqual([]);
    expect(sweep.json.heldCount).toBeGreaterThanOrEqual(1);
    const overdue = await t.call('GET', '/erasures/overdue', auditor);
    expect((overdue.json.erasures as Command[]).filter((c) => c.registrationId === registrationId)).toEqual(
      [],
    );

    const lifted = await t.call('POST', `/legal-holds/${String(hold.json.id)}/lift`, admin, {
      reason: 'procedure closed',
    });
    expect(lifted.status).toBe(200);
    expect(lifted.json).toMatchObject({ active: false, liftReason: 'procedure closed' });
    expect((lifted.json.released as Command[]).map((c) => c.registrationId)).toContain(registrationId);
    const [command] = await commandsFor(registrationId, 1);
    expect(command).toMatchObject({ category: 'UNUSED_INCOME', targetService: 'INCOME_RETRIEVAL' });

    const again = await t.call('POST', `/legal-holds/${String(hold.json.id)}/lift`, admin, {
      reason: 'twice',
    });
    expect(again.status).toBe(409);
    const audit = await t.call('GET', '/legal-holds/audit', auditor);
    expect(
      (audit.json as unknown as { holdId: string; action: string }[]).filter(
        (a) => a.holdId === hold.json.id,
      ),
    ).toEqual([
      expect.objectContaining({ action: 'CREATED', reason: 'complaint procedure 2025-031' }),
      expect.objectContaining({ action: 'LIFTED', reason: 'procedure closed' }),
    ]);
    await expect(t.query(`DELETE FROM legal_hold_audit`)).rejects.toThrow(/append-only/);
  });

  it('an owner that is down: the command waits on the topic for a group that starts later, and is re-sent until acknowledged', async () => {
    const registrationId = randomUUID();
    await t.publish(ConsentWithdrawnEvent, [
      {
        key: registrationId,
        value: {
          consentId: randomUUID(),
          organisationId: org,
          registrationId,
          subjectId: registrationId,
          subjectRole: 'HOME_SEEKER',
          allocationId: null,
          purpose: 'BSN_AT_REGISTRATION',
          withdrawnAt: Date.now(),
        },
      },
    ]);
    const first = (await commandsFor(registrationId, 3)).find((c) => c.category === 'HASHED_BSN')!;

    // identity-validation "comes back": a consumer group that did not exist when the command was sent.
    const kafka = createKafka({ brokers: t.config.KAFKA_BROKERS, clientId: `${t.prefix}late` });
    const consumer = kafka.consumer({ groupId: `${t.prefix}identity-validation-late`, maxWaitTimeInMs: 200 });
    const readers = new Map([[ErasureRequestedEvent.type, ErasureRequestedEvent]]);
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({
      topics: [t.topics.name('retentionCleanupErasureCommands')],
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const decoded = await t.serde.decode(message.value, readers);
        seen.push((decoded.value as { erasureId: string }).erasureId);
      },
    });
    const lateSeen = await eventually(() => seen, {
      description: 'seen to satisfy (ids) => ids.includes(first.erasureId)',
      until: (ids) => ids.includes(first.erasureId),
    });
    await consumer.disconnect();
    expect(lateSeen).toContain(first.erasureId);

    // Not acknowledged: the next sweep sends it again with the same erasure id.
    const sweep = await t.call('POST', '/sweeps', admin);
    const resent = (sweep.json.resent as (Command & { sendCount: number })[]).find(
      (c) => c.erasureId === first.erasureId,
    );
    expect(resent?.sendCount).toBe(2);
    const copies = await t.commandsMatching((v) => v.erasureId === first.erasureId, 2);
    expect(copies).toHaveLength(2);

    await ack(first, 0);
    await eventually(
      () =>
        t.query<{ status: string }>(`SELECT status FROM scheduled_erasures WHERE erasure_id = $1`, [
          first.erasureId,
        ]),
      {
        description:
          "t.query<{ status: string }>(`SELECT status FROM scheduled_erasures WHERE erasure_id = $1`,… to satisfy (rows) => rows[0]?.status === 'COMPLETED'",
        until: (rows) => rows[0]?.status === 'COMPLETED',
      },
    );
    const after = await t.call('POST', '/sweeps', admin);
    expect((after.json.resent as Command[]).map((c) => c.erasureId)).not.toContain(first.erasureId);
  });

  it('overdue erasures are reported and exposed as an OpenTelemetry gauge on GET /metrics', async () => {
    const registrationId = randomUUID();
    await t.publish(IdentityValidationFailedEvent, [
      {
        key: registrationId,
        value: {
          consentId: randomUUID(),
          registrationId,
          subjectId: registrationId,
          subjectRole: 'HOME_SEEKER',
          purpose: 'BSN_AT_REGISTRATION',
          failure: 'U2_DATA_DISPUTED',
          failedAt: Date.now(),
          allocationId: null,
        },
      },
    ]);
    const commands = await commandsFor(registrationId, 2);
    const overdue = await t.call('GET', '/erasures/overdue', auditor);
    expect(overdue.status).toBe(200);
    const overdueIds = (overdue.json.erasures as Command[]).map((c) => c.erasureId);
    for (const c of commands) expect(overdueIds).toContain(c.erasureId);
    const count = overdue.json.count as number;

    const text = (await t.call('GET', '/metrics', null)).text;
    const value = Number(/^divit_retention_overdue_erasures (\d+)$/m.exec(text)?.[1]);
    expect(value).toBe(count);

    // The same endpoint carries the platform's messaging metrics (every consumer of this service is up).
    expect(text).toMatch(/^# TYPE divit_messaging_consumer_up gauge$/m);
    expect(text).not.toMatch(/^divit_messaging_consumer_up\{[^}]*\} 0$/m);

    for (const c of commands) await ack(c, 1);
    const later = await eventually(() => t.call('GET', '/erasures/overdue', auditor), {
      description:
        "t.call('GET', '/erasures/overdue', auditor) to satisfy (r) => !(r.json.erasures as Command[]).some((c) => c.registrationId === registrationId)",
      until: (r) => !(r.json.erasures as Command[]).some((c) => c.registrationId === registrationId),
    });
    expect((later.json.erasures as Command[]).some((c) => c.registrationId === registrationId)).toBe(false);
  });

  it('an acknowledgement for an unknown erasure is dead-lettered with the reason', async () => {
    const erasureId = randomUUID();
    await ack({ erasureId, category: 'HASHED_BSN', targetService: 'IDENTITY_VALIDATION' }, 1);
    const dead = await t.eventsMatching(
      (e) => e.topic === 'dlqRetentionCleanup' && e.value.erasureId === erasureId,
      1,
    );
    expect(dead[0]?.headers).toMatchObject({ dlq_error_code: 'UNKNOWN_ERASURE' });
  });
});
