import { randomUUID } from 'node:crypto';
import {
  AllocationOfferAcceptedEvent,
  MembershipStartedEvent,
  OrganisationRegisteredEvent,
} from '@divit/contracts';
import { amsterdamDate } from '../../src/common/calendar-date';
import { ConsentTestApp, eventually, payloadOf } from './support';

/**
 * Issue 16 item 2 (ADR 0035): consent follows the controller in force. On route B the housing allocator is
 * controller until the seeker accepts the offered dwelling; from the acceptance (AllocationOfferAccepted, played here
 * as registration publishes it) showings, receipts and evidence about that allocation name the letting corporation,
 * and the letting corporation reads the allocation's consent status.
 */
describe('consent: receipts and evidence name the controller in force, and it changes at acceptance (real stack)', () => {
  const t = new ConsentTestApp();
  let allocator = '';
  let letting = '';
  let outsider = '';
  let homeSeekerText = '';
  let coResidentText = '';
  const today = amsterdamDate(new Date());

  beforeAll(async () => {
    await t.start();
    allocator = randomUUID();
    await t.publish(OrganisationRegisteredEvent, [
      {
        key: allocator,
        value: {
          organisationId: allocator,
          name: 'Woonruimteverdeler Overdracht',
          kind: 'HOUSING_ALLOCATOR',
          route: 'B',
          coordinatorOrganisationId: allocator,
          effectiveFrom: '2024-01-01',
          occurredAt: Date.now(),
        },
      },
    ]);
    await t.routeRows(allocator, 1);
    letting = await t.organisationWithRouteA('Woonstichting Verhuurder');
    outsider = await t.organisationWithRouteA('Woonstichting Buiten');
    homeSeekerText = (await t.publishedText(allocator, 'HOME_SEEKER', 'BSN_AND_INCOME_AT_ALLOCATION')).id;
    coResidentText = (await t.publishedText(allocator, 'CO_RESIDENT', 'BSN_AND_INCOME_AT_ALLOCATION')).id;
  });
  afterAll(() => t.stop());

  const answer = (showingId: string) =>
    t.call('POST', '/consents', t.system(allocator), { showingId, answer: 'GRANTED' });

  it('names the housing allocator until acceptance and the letting corporation from it; the letting corporation then reads the consent status', async () => {
    const registrationId = await t.knownRegistration(allocator);
    const allocationId = await t.knownAllocation(allocator, registrationId);

    // Before acceptance: the route B housing allocator is controller.
    const before = await t.show(allocator, {
      textId: homeSeekerText,
      registrationId,
      subjectRole: 'HOME_SEEKER',
      allocationId,
    });
    const granted = await answer(before.showingId);
    expect(granted.status).toBe(201);
    expect(payloadOf(String(granted.json.receipt)).ctl).toEqual({ route: 'B', controllers: [allocator] });
    expect(granted.json.controller).toEqual({
      route: 'B',
      controllers: [{ organisationId: allocator, name: 'Woonruimteverdeler Overdracht' }],
    });
    const coResident = randomUUID();
    const stale = await t.show(allocator, {
      textId: coResidentText,
      registrationId,
      subjectRole: 'CO_RESIDENT',
      subjectId: coResident,
      allocationId,
    });
    // Before acceptance the letting corporation does not read the allocator's consent records.
    expect(
      await t.call('GET', `/allocations/${allocationId}/consent-status`, t.system(letting)),
    ).toMatchObject({ status: 404, json: { code: 'ALLOCATION_NOT_FOUND' } });

    // Registration announces the acceptance with the controller from it.
    await t.publish(AllocationOfferAcceptedEvent, [
      {
        key: allocationId,
        value: {
          allocationId,
          registrationId,
          organisationId: allocator,
          lettingCorporationId: letting,
          route: 'B',
          acceptedOn: today,
          previousControllerOrganisationIds: [allocator],
          controllerOrganisationIds: [letting],
          occurredAt: Date.now(),
        },
      },
    ]);
    await eventually(
      () => t.query(`SELECT 1 FROM allocations WHERE id = $1 AND accepted_on IS NOT NULL`, [allocationId]),
      { description: 'the acceptance to arrive', until: (r) => r.length > 0 },
    );

    // A showing from before the hand-over names the previous controller: it must be shown again.
    expect(await answer(stale.showingId)).toMatchObject({
      status: 409,
      json: { code: 'CONTROLLER_CHANGED_SINCE_SHOWING' },
    });
    const after = await t.call('POST', '/showings', t.system(allocator), {
      textId: coResidentText,
      registrationId,
      subjectRole: 'CO_RESIDENT',
      subjectId: coResident,
      allocationId,
      channel: 'WEB',
    });
    expect(after).toMatchObject({
      status: 201,
      json: {
        controller: {
          route: 'B',
          controllers: [{ organisationId: letting, name: 'Woonstichting Verhuurder' }],
        },
      },
    });
    const grantedAfter = await answer(String(after.json.showingId));
    expect(grantedAfter.status).toBe(201);
    expect(payloadOf(String(grantedAfter.json.receipt)).ctl).toEqual({ route: 'B', controllers: [letting] });
    // The receipt verifies (signed with the platform's key, naming the letting corporation).
    expect(
      await t.call('POST', '/receipts/verification', null, { receipt: grantedAfter.json.receipt }),
    ).toMatchObject({ status: 200, json: { valid: true } });

    // The evidence names the controller of each moment.
    const evidence = await t.call(
      'GET',
      `/registrations/${registrationId}/consent-evidence`,
      t.auditor(allocator),
    );
    expect(evidence.status).toBe(200);
    const controllers = (
      evidence.json.entries as {
        showing: { subjectRole: string; controller: { controllers: { organisationId: string }[] } };
        answer: { answer: string } | null;
      }[]
    ).map((e) => [
      e.showing.subjectRole,
      e.showing.controller.controllers.map((c) => c.organisationId),
      e.answer?.answer ?? null,
    ]);
    expect(controllers).toEqual([
      ['HOME_SEEKER', [allocator], 'GRANTED'],
      ['CO_RESIDENT', [allocator], null],
      ['CO_RESIDENT', [letting], 'GRANTED'],
    ]);

    // Data ownership: the letting corporation now reads the allocation's consent status; the allocator keeps reading
    // it (processor); anyone else does not.
    const ofLetting = await t.call('GET', `/allocations/${allocationId}/consent-status`, t.system(letting));
    expect(ofLetting).toMatchObject({ status: 200, json: { allocationId, organisationId: allocator } });
    expect((ofLetting.json.people as unknown[]).length).toBe(2);
    expect(
      (await t.call('GET', `/allocations/${allocationId}/consent-status`, t.system(allocator))).status,
    ).toBe(200);
    expect(
      await t.call('GET', `/allocations/${allocationId}/consent-status`, t.system(outsider)),
    ).toMatchObject({ status: 404, json: { code: 'ALLOCATION_NOT_FOUND' } });
  });

  it('route C: a receipt about an allocation names every member jointly until acceptance, then the letting corporation', async () => {
    const primus = await t.organisationWithRouteA('Woonstichting Primus');
    const mede = await t.organisationWithRouteA('Woonstichting Mede');
    const [m1, m2] = [primus, mede].sort() as [string, string];
    const nameOf = (id: string) => (id === primus ? 'Woonstichting Primus' : 'Woonstichting Mede');
    const collaboration = randomUUID();
    await t.publish(OrganisationRegisteredEvent, [
      {
        key: collaboration,
        value: {
          organisationId: collaboration,
          name: 'Samenwerkingsverband Gezamenlijk',
          kind: 'COLLABORATION',
          route: 'C',
          coordinatorOrganisationId: m1,
          effectiveFrom: '2024-01-01',
          occurredAt: Date.now(),
        },
      },
    ]);
    await t.publish(
      MembershipStartedEvent,
      [m1, m2].map((member) => ({
        key: collaboration,
        value: {
          organisationId: collaboration,
          membershipId: randomUUID(),
          memberOrganisationId: member,
          validFrom: '2024-01-01',
          validTo: null,
          occurredAt: Date.now(),
        },
      })),
    );
    await t.routeRows(collaboration, 1);
    await eventually(
      () => t.query(`SELECT 1 FROM organisation_memberships WHERE organisation_id = $1`, [collaboration]),
      { description: 'both memberships to arrive', until: (r) => r.length === 2 },
    );
    const text = (await t.publishedText(collaboration, 'HOME_SEEKER', 'BSN_AND_INCOME_AT_ALLOCATION')).id;
    const registrationId = await t.knownRegistration(collaboration);
    const allocationId = await t.knownAllocation(collaboration, registrationId);
    const grantFor = async () => {
      const shown = await t.show(collaboration, {
        textId: text,
        registrationId,
        subjectRole: 'HOME_SEEKER',
        allocationId,
      });
      const r = await t.call('POST', '/consents', t.system(collaboration), {
        showingId: shown.showingId,
        answer: 'GRANTED',
      });
      expect(r.status).toBe(201);
      return r;
    };
    const jointly = await grantFor();
    expect(payloadOf(String(jointly.json.receipt)).ctl).toEqual({ route: 'C', controllers: [m1, m2] });
    expect(jointly.json.controller).toEqual({
      route: 'C',
      controllers: [m1, m2].map((id) => ({ organisationId: id, name: nameOf(id) })),
    });
    // The seeker withdraws, then, after accepting a dwelling of m2, consents again: m2 alone is named.
    expect(
      (
        await t.call(
          'POST',
          `/consents/${String(jointly.json.consentId)}/withdrawal`,
          t.system(collaboration),
        )
      ).status,
    ).toBe(200);
    await t.publish(AllocationOfferAcceptedEvent, [
      {
        key: allocationId,
        value: {
          allocationId,
          registrationId,
          organisationId: collaboration,
          lettingCorporationId: m2,
          route: 'C',
          acceptedOn: today,
          previousControllerOrganisationIds: [m1, m2],
          controllerOrganisationIds: [m2],
          occurredAt: Date.now(),
        },
      },
    ]);
    await eventually(
      () => t.query(`SELECT 1 FROM allocations WHERE id = $1 AND accepted_on IS NOT NULL`, [allocationId]),
      { description: 'the acceptance to arrive', until: (r) => r.length > 0 },
    );
    const afterAcceptance = await grantFor();
    expect(payloadOf(String(afterAcceptance.json.receipt)).ctl).toEqual({ route: 'C', controllers: [m2] });
  });
});
