import { randomUUID } from 'node:crypto';
import { RetentionTestApp } from './support';

/**
 * A sweep's claim loops run side by side (SWEEP_WORKERS) over small batches: every due erasure is claimed by one
 * loop, issued once and sent as one command.
 */
describe('retention-cleanup: concurrent sweep claim loops on the real stack', () => {
  const t = new RetentionTestApp({
    SWEEP_BATCH_SIZE: '100',
    SWEEP_WORKERS: '4',
    SWEEP_INTERVAL_SECONDS: '0',
  });
  beforeAll(() => t.start());
  afterAll(() => t.stop());

  it('issues each of 2,350 due erasures exactly once with four loops of 100', async () => {
    const total = 2350;
    const registrationId = randomUUID();
    await t.query(
      `INSERT INTO scheduled_erasures (erasure_id, category, target_service, reason, trigger, policy_id,
         registration_id, trigger_at, due_at, dedupe_key, status, send_count)
       SELECT e, 'HASHED_BSN', 'IDENTITY_VALIDATION', 'REGISTRATION_DEREGISTERED', 'REGISTRATION_DEREGISTERED',
         'default/HASHED_BSN', $1, now() - interval '1 day', now() - interval '1 hour', 'sweep-workers-' || e,
         'SCHEDULED', 0
       FROM (SELECT gen_random_uuid() AS e FROM generate_series(1, $2)) s`,
      [registrationId, total],
    );
    const sweep = await t.call('POST', '/sweeps', t.platformOperator());
    expect(sweep.status).toBe(200);
    // The sweep also issues the age-based erasures it scheduled itself at its start (they are due at once).
    const result = sweep.json as { issuedCount: number; ageErasuresScheduled: number };
    expect(result.issuedCount).toBe(total + result.ageErasuresScheduled);

    const rows = await t.query<{ status: string; sends: number; n: number }>(
      `SELECT status, send_count AS sends, count(*)::int AS n FROM scheduled_erasures
       WHERE registration_id = $1 GROUP BY status, send_count`,
      [registrationId],
    );
    expect(rows).toEqual([{ status: 'ISSUED', sends: 1, n: total }]);

    // One command per erasure on the topic (the relay may re-send after a crash; none happens here).
    const commands = await t.commandsMatching((v) => v.registrationId === registrationId, total);
    const ids = commands.map((c) => c.erasureId as string);
    expect(new Set(ids).size).toBe(total);
    const [{ erasures } = { erasures: -1 }] = await t.query<{ erasures: number }>(
      `SELECT count(*)::int AS erasures FROM scheduled_erasures WHERE registration_id = $1 AND erasure_id = ANY($2::uuid[])`,
      [registrationId, ids],
    );
    expect(erasures).toBe(total);
  });
});
