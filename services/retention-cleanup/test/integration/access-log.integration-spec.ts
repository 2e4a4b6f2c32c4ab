import { randomUUID } from 'node:crypto';
import { RetentionTestApp } from './support';

/**
 * retention-cleanup's access log (libs/access-log, ADR 0020): rejected tokens and deletion-log reads are recorded,
 * and its own entries go at the sweep after the ACCESS_LOGS retention unless a legal hold covers the category.
 */
describe('retention-cleanup access log', () => {
  const t = new RetentionTestApp();
  const org = randomUUID();

  beforeAll(async () => {
    await t.start();
  });

  afterAll(async () => {
    await t.stop();
  });

  const count = async (where: string, params: unknown[] = []) =>
    Number(
      (
        await t.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM access_log_entries WHERE ${where}`,
          params,
        )
      )[0]?.n,
    );

  it('records a rejected token with its reason and a deletion-log read by who, roles and purpose', async () => {
    const expired = t.issuer.sign({ subject: 'late-auditor', organisationId: org, roles: ['auditor'] }, -600);
    expect((await t.call('GET', '/deletion-log', expired)).status).toBe(401);
    expect(
      await count(`action = 'TOKEN_REJECTED' AND outcome_reason = 'EXPIRED' AND subject = 'late-auditor'`),
    ).toBe(1);
    const subject = randomUUID();
    const read = await t.call(
      'GET',
      `/deletion-log?subjectPseudonym=${subject}`,
      t.token(org, ['auditor'], 'aud-1'),
    );
    expect(read.status).toBe(200);
    const [entry] = await t.query<Record<string, unknown>>(
      `SELECT * FROM access_log_entries WHERE action = 'DELETION_LOG_READ' AND subject = 'aud-1'`,
    );
    expect(entry).toMatchObject({
      kind: 'ACCESS',
      subject_organisation_id: org,
      roles: ['auditor'],
      resource_type: 'subject',
      resource_id: subject,
      organisation_id: org,
      purpose: 'AUDIT',
    });
    // Another organisation's auditor does not see it.
    const other = await t.call('GET', '/access-log?limit=500', t.token(randomUUID(), ['auditor']));
    expect(other.status).toBe(200);
    const entries = (other.json as unknown as { entries: { subject: string | null }[] }).entries;
    expect(entries.some((e) => e.subject === 'aud-1' || e.subject === 'late-auditor')).toBe(false);
  });

  it('records a policy override and its removal with the retention before and after, the reason by name only (issue 16 item 10)', async () => {
    const owner = randomUUID();
    const admin = t.token(owner, ['admin'], 'policy-admin');
    const path = `/policies/REGISTRATION_DATA/organisations/${owner}`;
    const reason = 'verkort na overleg met mevrouw Jansen';
    expect((await t.call('PUT', path, admin, { retention: 'P30D', reason })).status).toBe(200);
    expect(
      (await t.call('PUT', path, admin, { retention: 'P30D', reason: 'same period, new reason' })).status,
    ).toBe(200);
    expect((await t.call('DELETE', path, admin)).status).toBe(200);
    // Another tenant's admin changes nothing and leaves no change entry for this organisation.
    expect(
      (await t.call('PUT', path, t.token(randomUUID(), ['admin']), { retention: 'P0D', reason })).status,
    ).toBe(403);
    const rows = await t.query<{
      action: string;
      changed_fields: string[];
      changed_values: unknown;
      subject: string;
    }>(
      `SELECT action, changed_fields, changed_values, subject FROM access_log_entries
        WHERE organisation_id = $1 AND resource_type = 'retention-policy' ORDER BY id`,
      [owner],
    );
    const base = (await t.call('GET', `/policies?organisationId=${owner}`, admin)).json as unknown as {
      category: string;
      retention: string;
    }[];
    const defaultRetention = base.find((p) => p.category === 'REGISTRATION_DATA')!.retention;
    expect(rows).toEqual([
      {
        action: 'RETENTION_POLICY_OVERRIDDEN',
        changed_fields: ['reason', 'retention'],
        changed_values: { retention: { from: defaultRetention, to: 'P30D' } },
        subject: 'policy-admin',
      },
      {
        action: 'RETENTION_POLICY_OVERRIDDEN',
        changed_fields: ['reason'],
        changed_values: {},
        subject: 'policy-admin',
      },
      {
        action: 'RETENTION_POLICY_OVERRIDE_REMOVED',
        changed_fields: ['retention'],
        changed_values: { retention: { from: 'P30D', to: defaultRetention } },
        subject: 'policy-admin',
      },
    ]);
    expect(JSON.stringify(rows)).not.toContain('Jansen');
  });

  it('erases its own entries older than the ACCESS_LOGS retention at the sweep, not while a hold covers them', async () => {
    const insert = (age: string) =>
      t.query(
        `INSERT INTO access_log_entries (occurred_at, kind, subject, subject_organisation_id, action, purpose)
         VALUES (now() - $1::interval, 'ACCESS', $2, $3, 'DELETION_LOG_READ', 'AUDIT')`,
        [age, `aged-${age}`, org],
      );
    await insert('2 years');
    await insert('1 day');
    const operator = t.platformOperator();
    const hold = await t.call('POST', '/legal-holds', operator, {
      category: 'ACCESS_LOGS',
      reason: 'audit of last year',
      owner: 'legal: test',
    });
    expect(hold.status).toBe(201);
    expect((await t.call('POST', '/sweeps', operator)).status).toBeLessThan(300);
    expect(await count(`subject = 'aged-2 years'`)).toBe(1);

    const lift = await t.call('POST', `/legal-holds/${String(hold.json.id)}/lift`, operator, {
      reason: 'done',
    });
    expect(lift.status).toBe(200);
    expect((await t.call('POST', '/sweeps', operator)).status).toBeLessThan(300);
    expect(await count(`subject = 'aged-2 years'`)).toBe(0);
    expect(await count(`subject = 'aged-1 day'`)).toBe(1);
  });
});
