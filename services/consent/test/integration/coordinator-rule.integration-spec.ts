import { randomUUID } from 'node:crypto';
import { MembershipStartedEvent } from '@divit/contracts';
import { OrganisationEvents } from '@divit/testing';
import { ConsentTestApp, eventually } from './support';

/**
 * consent's route and membership rule is the shared one (`OrganisationScope`, docs/adr/0018), on consent's own
 * tables. Three tenants: a route C collaboration X coordinated by its primus inter pares P (also a member), member
 * corporation M, former member E, and an unrelated corporation T. The controllers named for X are its members in
 * force today: an ended membership is not re-opened by a late or redelivered MembershipStarted (consent's copy
 * overwrote the end with the start's empty `validTo`, so E stayed a controller).
 */
describe('consent: controllers by the shared route/membership rule (three tenants)', () => {
  const t = new ConsentTestApp();
  const orgs = new OrganisationEvents(t);
  const X = randomUUID();
  const P = randomUUID();
  const M = randomUUID();
  const E = randomUUID();
  const T = randomUUID();

  const controllersOf = async (org: string): Promise<string[]> => {
    const res = await t.call(
      'GET',
      `/consent-texts/current?organisationId=${org}&audience=HOME_SEEKER&purpose=BSN_AT_REGISTRATION&language=nl`,
      t.admin(org),
    );
    if (res.status !== 200) throw new Error(`current text of ${org}: ${res.status} ${res.text}`);
    const controller = res.json.controller as { controllers: { organisationId: string }[] };
    return controller.controllers.map((c) => c.organisationId);
  };

  beforeAll(async () => {
    await t.start();
    for (const corporation of [P, M, E, T]) await orgs.corporation(corporation);
    await orgs.collaboration(X, P);
    await orgs.membershipStarted(X, P);
    await orgs.membershipStarted(X, M);
    const leaving = await orgs.membershipStarted(X, E);
    await orgs.membershipEnded(leaving);
    // The start again, after the end (a redelivery or a late copy: a new event id, the same membership).
    const [late] = await t.publish(MembershipStartedEvent, [
      { key: X, value: { ...leaving, validTo: null, occurredAt: Date.now() } },
    ]);
    await eventually(() => t.query(`SELECT 1 FROM inbox_messages WHERE event_id = $1`, [late]), {
      description: 'the late MembershipStarted consumed',
      until: (rows) => rows.length === 1,
    });
    await t.publishedText(X);
    await t.publishedText(T);
  });
  afterAll(() => t.stop());

  it('names the collaboration’s current members, not the former member whose start came again after its end', async () => {
    expect(await controllersOf(X)).toEqual([M, P].sort());
  });

  it('the unrelated corporation is its own controller and appears nowhere else', async () => {
    expect(await controllersOf(T)).toEqual([T]);
    expect(await controllersOf(X)).not.toContain(T);
  });

  it('the former member’s membership keeps its last day', async () => {
    const [row] = await t.query<{ valid_to: string | null }>(
      `SELECT valid_to::text FROM organisation_memberships WHERE member_organisation_id = $1`,
      [E],
    );
    expect(row?.valid_to).not.toBeNull();
  });
});
