import { randomUUID } from 'node:crypto';
import { RegistrationDeregisteredEvent } from '@divit/contracts';
import { HostileTier, operatorRoles, tenantRoles } from '@divit/testing';
import { RetentionTestApp, eventually } from './support';

/**
 * The hostile-client tier for retention-cleanup, generated from docs/openapi/retention-cleanup.json (see
 * docs/testing.md): tenant B against every operation on tenant A's data, seeded bad input for every write, and
 * bursts of 50 simultaneous requests of tenant A with the pool at its default size.
 */
describe('retention-cleanup: hostile clients (every operation of the OpenAPI document)', () => {
  // The rate limit has its own tests; here it would answer the concurrency bursts instead of the pool.
  const t = new RetentionTestApp({ RATE_LIMIT_ENABLED: 'false' });
  let tier: HostileTier;

  beforeAll(async () => {
    await t.start();
    // Tenant A: a deregistered registration (its erasures scheduled), a legal hold on it, a retention override
    // and an adopted agreement; tenant B: an organisation of its own. The registration arrives as registration's
    // event.
    const orgA = randomUUID();
    const registrationId = randomUUID();
    const a = t.token(orgA, operatorRoles(), 'tenant-a-admin');
    await t.publish(RegistrationDeregisteredEvent, [
      {
        key: registrationId,
        value: { registrationId, organisationId: orgA, occurredAt: Date.now() - 60_000 },
      },
    ]);
    const scheduled = await eventually(() => t.call('GET', `/erasures?registrationId=${registrationId}`, a), {
      description: `the scheduled erasures of ${registrationId}`,
      until: (r) => Array.isArray(r.json) && r.json.length > 0,
    });
    if (!Array.isArray(scheduled.json) || scheduled.json.length === 0)
      throw new Error(`fixture erasures: ${scheduled.status} ${scheduled.text}`);
    const holdBody = {
      subjectId: registrationId,
      reason: 'complaint procedure A',
      owner: 'legal department A',
    };
    const hold = await t.call('POST', '/legal-holds', a, holdBody);
    if (hold.status !== 201) throw new Error(`fixture hold: ${hold.status} ${hold.text}`);
    const override = { retention: 'P2Y', reason: 'tenant A keeps registrations longer' };
    const policy = await t.call('PUT', `/policies/REGISTRATION_DATA/organisations/${orgA}`, a, override);
    if (policy.status !== 200) throw new Error(`fixture policy: ${policy.status} ${policy.text}`);
    // Tenant A takes part in the Woonkans agreement (docs/adr/0036).
    const adoptBody = { agreementId: 'woonkans', reason: 'tenant A takes part in Woonkans' };
    const adopted = await t.call('PUT', `/agreements/organisations/${orgA}`, a, adoptBody);
    if (adopted.status !== 200) throw new Error(`fixture agreement: ${adopted.status} ${adopted.text}`);

    tier = new HostileTier({
      service: 'retention-cleanup',
      app: t,
      tokens: { a, b: t.token(randomUUID(), tenantRoles(), 'tenant-b-admin') },
      values: {
        organisationId: orgA,
        registrationId,
        subjectId: registrationId,
        id: String(hold.json.id),
        category: 'REGISTRATION_DATA',
      },
      requests: {
        conformanceEvidence: { query: { organisationId: orgA, from: '2026-01-01', to: '2027-01-01' } },
        holdsCreate: { body: { ...holdBody, reason: 'hostile hold' } },
        holdsLift: { body: { reason: 'hostile lift' } },
        policiesOverride: { body: { retention: 'P0D', reason: 'hostile: erase at once' } },
        agreementsAdopt: { body: { ...adoptBody, reason: 'hostile: adopt for A' } },
      },
      ignoredTables: {
        access_log_entries:
          'an append-only record of attempts (a refused one may rightly be logged); B’s reads are judged by their answers',
      },
      classes: {
        erasuresSweep: {
          kind: 'operator',
          reason: 'a sweep issues every tenant’s due erasures',
        },
      },
      burst: [
        'erasuresList',
        'holdsGet',
        'policiesList',
        'holdsCreate',
        'policiesOverride',
        'agreementsAdopt',
      ],
    });
  });

  afterAll(async () => {
    await tier?.releaseStuckSessions();
    tier?.summary();
    await t.stop();
  });

  it('classifies every operation of the OpenAPI document (public ones with a reason)', () => {
    expect(tier.classification()).toEqual([]);
  });

  it("tenant B cannot read or change tenant A's data through any operation (0 partial writes)", async () => {
    expect(await tier.crossTenant()).toEqual([]);
  });

  it('answers seeded bad input on every write, query and path parameter with 4xx problem+json, never 5xx', async () => {
    expect(await tier.badInput()).toEqual([]);
  }, 300_000);

  it('answers bursts of 50 simultaneous requests of tenant A without 5xx or a stuck pool', async () => {
    expect(await tier.concurrency(50)).toEqual([]);
  }, 300_000);
});
