import { randomUUID } from 'node:crypto';
import { OrganisationEvents } from '@divit/testing';
import { RetentionTestApp } from './support';

interface Entry {
  action: string;
  subject: string | null;
  subjectOrganisationId: string | null;
  organisationId: string | null;
}

/**
 * `GET /access-log` (libs/access-log) under coordinator scope (docs/adr/0018), three tenants: a route C
 * collaboration X whose primus inter pares P coordinates it, member corporation M of X, and an unrelated
 * corporation T. As P reads M's retention records here, it reads the access-log entries by or about M while the
 * membership is in force; never T's; M never reads P's; an ended membership stops it.
 */
describe('retention-cleanup: GET /access-log follows coordinator scope (three tenants)', () => {
  const t = new RetentionTestApp();
  const orgs = new OrganisationEvents(t);
  const P = randomUUID();
  const X = randomUUID();
  const M = randomUUID();
  const T = randomUUID();
  const auditor = (org: string, who: string) => t.token(org, ['auditor'], who);
  let membership: Awaited<ReturnType<OrganisationEvents['membershipStarted']>>;

  /** Subjects of the entries the caller reads (each tenant's auditor has its own subject). */
  const subjects = async (token: string): Promise<string[]> => {
    const res = await t.call('GET', '/access-log?limit=500', token);
    if (res.status !== 200) throw new Error(`GET /access-log: ${res.status}`);
    return [...new Set((res.json.entries as Entry[]).map((e) => String(e.subject)))].sort();
  };

  beforeAll(async () => {
    await t.start();
    await orgs.corporation(P);
    await orgs.collaboration(X, P);
    await orgs.corporation(M);
    await orgs.corporation(T);
    // Each tenant's auditor reads the log once: an ACCESS_LOG_READ entry by that organisation (and its token's
    // authentication entry).
    for (const [org, who] of [
      [P, 'auditor-p'],
      [M, 'auditor-m'],
      [T, 'auditor-t'],
    ] as const)
      await subjects(auditor(org, who));
  });
  afterAll(() => t.stop());

  it('before the membership the primus inter pares reads only its own organisation’s entries', async () => {
    expect(await subjects(auditor(P, 'auditor-p'))).toEqual(['auditor-p']);
  });

  it('with the membership the primus inter pares reads its member’s entries, never the third tenant’s', async () => {
    membership = await orgs.membershipStarted(X, M);
    expect(await subjects(auditor(P, 'auditor-p'))).toEqual(['auditor-m', 'auditor-p']);
    const res = await t.call(
      'GET',
      `/access-log?organisationId=${M}&action=ACCESS_LOG_READ`,
      auditor(P, 'auditor-p'),
    );
    expect((res.json.entries as Entry[]).map((e) => e.subjectOrganisationId)).toEqual([M]);
    const third = await t.call('GET', `/access-log?organisationId=${T}`, auditor(P, 'auditor-p'));
    expect(third).toMatchObject({ status: 200, json: { entries: [] } });
  });

  it('the member does not read its coordinator’s entries (membership is one-way); the third tenant reads its own', async () => {
    expect(await subjects(auditor(M, 'auditor-m'))).toEqual(['auditor-m']);
    expect(await subjects(auditor(T, 'auditor-t'))).toEqual(['auditor-t']);
  });

  it('after MembershipEnded the primus inter pares reads nothing of its former member', async () => {
    await orgs.membershipEnded(membership);
    expect(await subjects(auditor(P, 'auditor-p'))).toEqual(['auditor-p']);
  });
});
