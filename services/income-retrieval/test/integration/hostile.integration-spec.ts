import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, HostileTier, operatorRoles, tenantRoles } from '@divit/testing';
import { DEFAULT_NORMS_DIR } from '../../src/norms/norms';
import { grant, household, IncomeTestApp, publishAllocation, share } from './support';

/**
 * The hostile-client tier for income-retrieval, generated from docs/openapi/income-retrieval.json (see
 * docs/testing.md): tenant B against every operation on tenant A's data, seeded bad input for every write, and
 * bursts of 50 simultaneous requests of tenant A with the pool at its default size.
 */
describe('income-retrieval: hostile clients (every operation of the OpenAPI document)', () => {
  // The rate limit has its own tests; here it would answer the concurrency bursts instead of the pool.
  const t = new IncomeTestApp({ RATE_LIMIT_ENABLED: 'false' });
  let tier: HostileTier;

  beforeAll(async () => {
    await t.start();
    // Tenant A: a decided allocation (with its statement) and an open one; tenant B: an organisation of its own.
    // Allocations, consents and incomes arrive as registration's, consent's and identity-validation's events.
    const orgA = randomUUID();
    const a = t.token(orgA, operatorRoles(), 'tenant-a-admin');
    const decided = household({ organisationId: orgA });
    await publishAllocation(t, decided);
    await grant(t, decided, decided.homeSeeker);
    await share(t, decided, decided.homeSeeker, 2_000_000);
    await t.decisionFor(decided.allocation.allocationId);
    const open = household({ organisationId: orgA, adults: 1 });
    await publishAllocation(t, open);
    const decidedId = decided.allocation.allocationId;
    const openId = open.allocation.allocationId;
    for (const id of [decidedId, openId]) {
      const seen = await eventually(async () => (await t.call('GET', `/allocations/${id}`, a)).status, {
        description: "(await t.call('GET', `/allocations/${id}`, a)).status to satisfy (s) => s === 200",
        until: (s) => s === 200,
      });
      if (seen !== 200) throw new Error(`fixture: allocation ${id} not visible to tenant A (${seen})`);
    }

    tier = new HostileTier({
      service: 'income-retrieval',
      app: t,
      tokens: { a, b: t.token(randomUUID(), tenantRoles(), 'tenant-b-admin') },
      values: {
        organisationId: orgA,
        allocationId: decidedId,
        registrationId: decided.allocation.registrationId,
        memberId: decided.homeSeeker,
      },
      requests: {
        conformanceEvidence: { query: { organisationId: orgA, from: '2026-01-01', to: '2027-01-01' } },
        householdsGet: { path: { allocationId: openId } },
        householdsStatePensionAge: { path: { allocationId: openId }, body: { pensionAge: true } },
        // A year no shipped file has: tenant A (who also holds platform-operator) may publish it.
        normsPublish: {
          path: { leaseYear: '2031' },
          body: {
            ...(JSON.parse(readFileSync(join(DEFAULT_NORMS_DIR, '2026.json'), 'utf8')) as object),
            version: '2031-01-01',
            leaseYear: 2031,
            validFrom: '2031-01-01',
            indexationFactors: { '2030': '1.020000', '2029': '1.040000' },
          },
        },
      },
      ignoredTables: {
        access_log_entries:
          'an append-only record of attempts (a refused one may rightly be logged); B’s reads are judged by their answers',
      },
      classes: {
        householdsSweep: {
          kind: 'operator',
          reason: 'the expiry sweep runs over every tenant’s open requests',
        },
        normsPublish: {
          kind: 'operator',
          reason: 'income norms apply to every tenant’s allocations',
        },
      },
      burst: ['statementsGet', 'householdsGet', 'householdsStatePensionAge', 'statementsAccessLog'],
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
