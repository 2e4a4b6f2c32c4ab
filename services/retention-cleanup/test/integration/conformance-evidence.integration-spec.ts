import { randomUUID } from 'node:crypto';
import { ConsentWithdrawnEvent } from '@divit/contracts';
import { RetentionTestApp } from './support';

/** GET /conformance-evidence (issue 16 item 9): erasures with their times, proofs, the policies in force. */
describe('retention-cleanup: conformance evidence (real stack)', () => {
  const t = new RetentionTestApp();
  const org = randomUUID();
  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const query = (o: string) => `/conformance-evidence?organisationId=${o}&from=${today}&to=${tomorrow}`;

  beforeAll(() => t.start());
  afterAll(() => t.stop());

  it('counts the erasures a withdrawal made due, by category, and lists the policies with their sources', async () => {
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
    await t.commandsMatching((v) => v.registrationId === registrationId, 1);
    const res = await t.call('GET', query(org), t.token(org, ['auditor']));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      service: 'retention-cleanup',
      organisationId: org,
      bsnScan: { bsnLikeValues: 0 },
    });
    const erasures = res.json.erasures as {
      trigger: string;
      category: string;
      commands: number;
      acknowledged: number;
    }[];
    expect(erasures.filter((e) => e.trigger === 'CONSENT_WITHDRAWN').map((e) => e.category)).toContain(
      'HASHED_BSN',
    );
    // No owner runs in this test: nothing is acknowledged yet, and the report shows it.
    expect(erasures.every((e) => e.acknowledged === 0 && e.commands >= 1)).toBe(true);
    const policies = res.json.policies as { category: string; source: string }[];
    expect(policies.map((p) => p.category)).toContain('HASHED_BSN');
    expect(policies.every((p) => p.source.length > 0)).toBe(true);
  });

  it("another tenant's auditor gets 403 OUTSIDE_ORGANISATION", async () => {
    const other = await t.call('GET', query(org), t.token(randomUUID(), ['auditor']));
    expect(other.status).toBe(403);
    expect(other.json.code).toBe('OUTSIDE_ORGANISATION');
  });
});
