import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  DataCategory,
  ErasureRequested,
  ErasureRequestedEvent,
  OwningService,
  TopicKey,
} from '@divit/contracts';
import { erasureAcknowledgementId } from '@divit/service-kit';
import { ReceivedEvent, ServiceTestApp } from './service-test-app';

/** One subject's rows of the category under test, as the fixture seeds them. */
export interface ErasureSubject {
  organisationId: string;
  registrationId: string;
  /** The person: the home seeker's subject id is the registration id. */
  subjectId: string;
  allocationId: string;
  /** When the rows were recorded (the column a cut-off compares). */
  recordedAt: Date;
}

/**
 * How one data-owning service takes part in the erasure contract: one category it owns, how to seed a subject's
 * rows of it directly in its own database (as its features would have written them), and how to count them.
 */
export interface ErasureContractFixture {
  owner: OwningService;
  /** The service's acknowledgement event type, e.g. `nl.divit.consent.ConsentErasureCompleted`. */
  acknowledgementType: string;
  /** The service's dead-letter topic key; the app must observe it. */
  deadLetterTopic: TopicKey;
  /** An owned category, erased by the cases below. */
  category: DataCategory;
  /** A category the service does not own (misrouted). */
  notOwned: DataCategory;
  /** The scope field the category is limited by for one subject (a table without registrations uses allocation). */
  scopeField: 'registrationId' | 'subjectId' | 'allocationId';
  /** A fresh organisation id this service knows (some tables need the organisation to exist). */
  organisation(): Promise<string>;
  /**
   * Seeds the subject's rows of the category in the service's own database (again for the same subject: more rows
   * of the same scope); returns how many rows an erasure of that subject removes or clears.
   */
  seed(subject: ErasureSubject): Promise<number>;
  /** The subject's rows of the category still holding data. */
  remaining(subject: ErasureSubject): Promise<number>;
}

/** What the contract needs of the running service (a ServiceTestApp observing its dead-letter topic). */
export type ErasureContractApp = Pick<
  ServiceTestApp<never>,
  'publish' | 'received' | 'eventsMatching' | 'query' | 'redelivered'
>;

export interface ErasureContractCase {
  name: string;
  run(): Promise<void>;
}

const DAY = 86_400_000;

/**
 * The erasure contract every data-owning service meets (docs/adr/0019), as cases a spec runs with `it` against
 * the service on the real stack (the command played by publishing as retention-cleanup would):
 * scoped erase, cut-off erase, unscoped refusal, legal hold (the owner's part), replayed command acknowledged once.
 */
export function erasureContractCases(
  app: ErasureContractApp,
  fixture: ErasureContractFixture,
): ErasureContractCase[] {
  const subject = async (organisationId: string, ageDays = 0): Promise<ErasureSubject & { rows: number }> => {
    const registrationId = randomUUID();
    const s: ErasureSubject = {
      organisationId,
      registrationId,
      subjectId: registrationId,
      allocationId: randomUUID(),
      recordedAt: new Date(Date.now() - ageDays * DAY),
    };
    const rows = await fixture.seed(s);
    assert.ok(rows > 0, `the fixture of ${fixture.owner} seeded no ${fixture.category} rows`);
    assert.equal(await fixture.remaining(s), rows, 'seeded rows are counted as remaining');
    return { ...s, rows };
  };
  const command = (over: Partial<ErasureRequested>): ErasureRequested => ({
    erasureId: randomUUID(),
    targetService: fixture.owner,
    category: fixture.category,
    reason: 'RETENTION_PERIOD_ENDED',
    policyId: `default/${fixture.category}`,
    organisationId: null,
    registrationId: null,
    subjectId: null,
    allocationId: null,
    recordedBefore: null,
    requestedAt: Date.now(),
    ...over,
  });
  const scopeOf = (s: ErasureSubject): Partial<ErasureRequested> => ({
    organisationId: s.organisationId,
    [fixture.scopeField]: s[fixture.scopeField],
  });
  const publish = (commands: ErasureRequested[], key?: string) =>
    app.publish(
      ErasureRequestedEvent,
      commands.map((value) => ({ key: key ?? value.erasureId, value })),
    );
  const acks = (erasureId: string) =>
    app.received.filter((e) => e.type === fixture.acknowledgementType && e.value.erasureId === erasureId);
  const ackOf = async (erasureId: string): Promise<ReceivedEvent> => {
    const [ack] = await app.eventsMatching(
      (e) => e.type === fixture.acknowledgementType && e.value.erasureId === erasureId,
      1,
      60_000,
    );
    assert.ok(ack, `${fixture.owner} did not acknowledge erasure ${erasureId}`);
    return ack;
  };
  const deadLetterOf = async (erasureId: string): Promise<ReceivedEvent> => {
    const [dead] = await app.eventsMatching(
      (e) => e.topic === fixture.deadLetterTopic && e.value.erasureId === erasureId,
      1,
      60_000,
    );
    assert.ok(dead, `${fixture.owner} did not dead-letter erasure ${erasureId}`);
    return dead;
  };

  return [
    {
      name: `${fixture.owner}: a scoped command erases that subject's ${fixture.category} only and is acknowledged with the count and a deterministic id`,
      run: async () => {
        const org = await fixture.organisation();
        const doomed = await subject(org);
        const kept = await subject(org);
        const c = command(scopeOf(doomed));
        await publish([c]);
        const ack = await ackOf(c.erasureId);
        assert.equal(ack.key, c.erasureId);
        assert.equal(ack.value.category, fixture.category);
        assert.equal(Number(ack.value.erasedCount), doomed.rows);
        assert.equal(
          ack.headers.ce_id,
          erasureAcknowledgementId(c.erasureId, fixture.owner, fixture.category),
        );
        assert.equal(await fixture.remaining(doomed), 0);
        assert.equal(await fixture.remaining(kept), kept.rows);
      },
    },
    {
      name: `${fixture.owner}: a cut-off command erases ${fixture.category} recorded before the cut-off and keeps what is newer`,
      run: async () => {
        const org = await fixture.organisation();
        const old = await subject(org, 800);
        const recent = await subject(org, 10);
        const c = command({ organisationId: org, recordedBefore: Date.now() - 365 * DAY });
        await publish([c]);
        const ack = await ackOf(c.erasureId);
        assert.equal(Number(ack.value.erasedCount), old.rows);
        assert.equal(await fixture.remaining(old), 0);
        assert.equal(await fixture.remaining(recent), recent.rows);
      },
    },
    {
      name: `${fixture.owner}: a command without scope or cut-off, and a misrouted category, are dead-lettered with their reason; nothing is erased or acknowledged`,
      run: async () => {
        const org = await fixture.organisation();
        const s = await subject(org, 800);
        const bare = command({});
        const organisationOnly = command({ organisationId: org });
        const misrouted = command({ ...scopeOf(s), category: fixture.notOwned });
        await publish([bare, organisationOnly, misrouted], bare.erasureId);
        for (const c of [bare, organisationOnly]) {
          const dead = await deadLetterOf(c.erasureId);
          assert.equal(dead.type, ErasureRequestedEvent.type);
          assert.equal(dead.headers.dlq_error_code, 'ERASURE_UNSCOPED');
          assert.match(dead.headers.dlq_reason ?? '', /no registration, subject, allocation or cut-off/);
        }
        const dead = await deadLetterOf(misrouted.erasureId);
        assert.equal(dead.headers.dlq_error_code, 'ERASURE_CATEGORY_NOT_OWNED');
        assert.match(dead.headers.dlq_reason ?? '', new RegExp(`does not own ${fixture.notOwned}`));
        // A later command on the same partition is acknowledged, so the refused ones were consumed before it.
        const after = command(scopeOf(await subject(org)));
        await publish([after], bare.erasureId);
        await ackOf(after.erasureId);
        for (const c of [bare, organisationOnly, misrouted]) assert.deepEqual(acks(c.erasureId), []);
        assert.equal(await fixture.remaining(s), s.rows);
        const claimed = await app.query(
          `SELECT 1 FROM erasure_acknowledgements WHERE erasure_id = ANY($1::uuid[])`,
          [[bare.erasureId, organisationOnly.erasureId, misrouted.erasureId]],
        );
        assert.deepEqual(claimed, []);
      },
    },
    {
      name: `${fixture.owner}: legal hold — a held subject's ${fixture.category} survives the erasures of others (no command is issued for it) and goes only with the command released when the hold is lifted`,
      run: async () => {
        const org = await fixture.organisation();
        const held = await subject(org, 10);
        const other = await subject(org, 10);
        // While held, retention-cleanup issues commands for others only: a subject's, and an age sweep whose cut-off
        // does not reach the held subject's rows (a category hold stops the sweep itself).
        const forOther = command({ ...scopeOf(other), reason: 'CONSENT_WITHDRAWN' });
        const sweep = command({ organisationId: org, recordedBefore: Date.now() - 365 * DAY });
        await publish([forOther, sweep]);
        assert.equal(Number((await ackOf(forOther.erasureId)).value.erasedCount), other.rows);
        assert.equal(Number((await ackOf(sweep.erasureId)).value.erasedCount), 0);
        assert.equal(await fixture.remaining(held), held.rows);
        // Lifting the hold issues the erasure it kept back.
        const released = command({ ...scopeOf(held), reason: 'CONSENT_WITHDRAWN' });
        await publish([released]);
        assert.equal(Number((await ackOf(released.erasureId)).value.erasedCount), held.rows);
        assert.equal(await fixture.remaining(held), 0);
      },
    },
    {
      name: `${fixture.owner}: a replayed command (the same event again, and the same erasure re-sent as a new event) is erased and acknowledged once`,
      run: async () => {
        const org = await fixture.organisation();
        const s = await subject(org);
        const c = command(scopeOf(s));
        const eventId = randomUUID();
        const redeliveredBefore = app.redelivered;
        await app.publish(ErasureRequestedEvent, [{ id: eventId, key: c.erasureId, value: c }]);
        const ack = await ackOf(c.erasureId);
        assert.equal(Number(ack.value.erasedCount), s.rows);
        // Rows of the same scope recorded after the first run: a replay must not erase them (it is not a new command).
        const later = await fixture.seed(s);
        await app.publish(ErasureRequestedEvent, [
          { id: eventId, key: c.erasureId, value: c },
          { key: c.erasureId, value: { ...c, requestedAt: Date.now() } },
        ]);
        // A sentinel behind the replays on the same partition: once it is acknowledged, the replays were consumed.
        const sentinel = command(scopeOf(await subject(org)));
        await publish([sentinel], c.erasureId);
        await ackOf(sentinel.erasureId);
        // A second acknowledgement would follow the first closely: give it 2 s to appear (it must not).
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        assert.equal(acks(c.erasureId).length, 1, 'one acknowledgement event');
        assert.equal(
          app.redelivered - redeliveredBefore,
          0,
          'no second copy of the acknowledgement on the topic',
        );
        assert.equal(await fixture.remaining(s), later, 'the replay erased nothing');
        const rows = await app.query<{ erased_count: number }>(
          `SELECT erased_count FROM erasure_acknowledgements WHERE erasure_id = $1`,
          [c.erasureId],
        );
        assert.deepEqual(rows, [{ erased_count: s.rows }]);
      },
    },
  ];
}
