import { randomUUID } from 'node:crypto';
import { ConsentGrantedEvent, ConsentRefusedEvent } from '@divit/contracts';
import { createKafka, readDeadLetters } from '@divit/messaging';
import { DOSSIER_COLUMNS } from '../../src/dossier-import/dossier-csv';
import { decisionAnswers, RegistrationTestApp } from './support';

/**
 * Two tenants, each a route B housing allocator with a member corporation. The hostile-client probe's attacks
 * (issue 13, items 3 and 4) replayed: an allocator's admin is an organisation admin, not a platform operator.
 */
describe('registration: tenancy — platform operator vs organisation admin, two tenants (real stack)', () => {
  const t = new RegistrationTestApp();
  let operator = '';
  const org = { allocator1: '', corp1: '', allocator2: '', corp2: '' };
  let membership2 = '';
  let registration2 = '';
  let allocation2 = '';
  let admin1 = '';

  beforeAll(async () => {
    await t.start();
    operator = t.platformOperator();
    const register = async (name: string, answers: object) => {
      const res = await t.call('POST', '/organisations', operator, {
        name,
        answers,
        effectiveFrom: '2025-01-01',
      });
      expect(res.status).toBe(201);
      return String(res.json.organisationId);
    };
    org.allocator1 = await register('Woonruimteverdeler Een', decisionAnswers.routeB);
    org.corp1 = await register('Woonstichting Een', decisionAnswers.routeA);
    org.allocator2 = await register('Woonruimteverdeler Twee', decisionAnswers.routeB);
    org.corp2 = await register('Woonstichting Twee', decisionAnswers.routeA);
    for (const [allocator, corp] of [
      [org.allocator1, org.corp1],
      [org.allocator2, org.corp2],
    ] as const) {
      const res = await t.call('POST', `/organisations/${allocator}/memberships`, operator, {
        memberOrganisationId: corp,
        validFrom: '2025-01-01',
      });
      expect(res.status).toBe(201);
      if (allocator === org.allocator2) membership2 = String(res.json.id);
    }
    // Tenant 2's registration at its member corporation and an allocation of one of its dwellings.
    const system2 = t.token(org.allocator2, ['allocation-system'], 'system-2');
    const registration = await t.call('POST', '/registrations', system2, {
      organisationId: org.corp2,
      surname: 'Tweede',
      birthDate: '1980-02-02',
      registrationDate: '2020-01-01',
    });
    expect(registration.status).toBe(201);
    registration2 = String(registration.json.registrationId);
    const allocation = await t.call('POST', '/allocations', system2, {
      registrationId: registration2,
      dwellingReference: 'VHE-2',
      lettingCorporationId: org.corp2,
      monthlyRentCents: 70000,
      leaseStartDate: '2026-03-01',
      coResidents: [],
    });
    expect(allocation.status).toBe(201);
    allocation2 = String(allocation.json.allocationId);
    admin1 = t.token(org.allocator1, ['admin'], 'admin-allocator-1');
  });

  afterAll(() => t.stop());

  it("refuses an allocator's admin adding another tenant's corporation as its member, so it cannot read that tenant's allocation", async () => {
    const before = await t.count('organisation_memberships');
    const added = await t.call('POST', `/organisations/${org.allocator1}/memberships`, admin1, {
      memberOrganisationId: org.corp2,
      validFrom: '2025-01-01',
    });
    expect(added).toMatchObject({ status: 403, json: { code: 'FORBIDDEN_ROLE' } });
    expect(added.type).toContain('application/problem+json');
    expect(await t.count('organisation_memberships')).toBe(before);
    // Not even by the member corporation's own admin on behalf of another allocator.
    const byMember = await t.call(
      'POST',
      `/organisations/${org.allocator1}/memberships`,
      t.token(org.corp2, ['admin']),
      { memberOrganisationId: org.corp2, validFrom: '2025-01-01' },
    );
    expect(byMember.status).toBe(403);

    for (const token of [
      admin1,
      t.token(org.allocator1, ['allocation-system']),
      t.token(org.corp1, ['admin']),
    ]) {
      const read = await t.call('GET', `/allocations/${allocation2}`, token);
      expect(read).toMatchObject({ status: 404, json: { code: 'ALLOCATION_NOT_FOUND' } });
      expect((await t.call('GET', `/registrations/${registration2}`, token)).status).toBe(404);
    }
    // The platform operator is not a tenant: it has no role that reads personal data.
    expect(await t.call('GET', `/allocations/${allocation2}`, operator)).toMatchObject({
      status: 403,
      json: { code: 'FORBIDDEN_ROLE' },
    });
    // Tenant 2 itself still reads its allocation.
    const own = await t.call('GET', `/allocations/${allocation2}`, t.token(org.allocator2, ['admin']));
    expect(own.status).toBe(200);
  });

  it("refuses ending, recording stock for or re-routing another tenant's organisation; no partial write", async () => {
    const ended = await t.call(
      'POST',
      `/organisations/${org.allocator2}/memberships/${membership2}/end`,
      admin1,
      { validTo: '2025-06-30' },
    );
    expect(ended).toMatchObject({ status: 403, json: { code: 'OUTSIDE_ORGANISATION' } });
    const stock = await t.call('POST', `/organisations/${org.allocator2}/housing-stock`, admin1, {
      memberOrganisationId: org.corp2,
      dwellings: 1,
      effectiveFrom: '2025-01-01',
    });
    expect(stock).toMatchObject({ status: 403, json: { code: 'OUTSIDE_ORGANISATION' } });
    const reroute = await t.call('POST', `/organisations/${org.allocator2}/route-changes`, admin1, {
      route: 'A',
      effectiveFrom: '2027-01-01',
    });
    expect(reroute.status).toBe(403);
    const registered = await t.call('POST', '/organisations', admin1, {
      name: 'Nep Corporatie',
      answers: decisionAnswers.routeA,
      effectiveFrom: '2025-01-01',
    });
    expect(registered).toMatchObject({ status: 403, json: { code: 'FORBIDDEN_ROLE' } });
    const rows = await t.query<{ valid_to: string | null }>(
      'SELECT valid_to::text FROM organisation_memberships WHERE id = $1',
      [membership2],
    );
    expect(rows).toEqual([{ valid_to: null }]);
    expect(await t.count('housing_stock')).toBe(0);
    // Another tenant's memberships and stock are not readable either (404 as for a missing organisation).
    expect((await t.call('GET', `/organisations/${org.allocator2}/memberships`, admin1)).status).toBe(404);
    expect((await t.call('GET', `/organisations/${org.allocator2}/housing-stock`, admin1)).status).toBe(404);
    // Nor is the organisation itself, its route or its route history (found by the hostile-client tier).
    for (const path of ['', '/route', '/route-changes'])
      expect(await t.call('GET', `/organisations/${org.allocator2}${path}`, admin1)).toMatchObject({
        status: 404,
        json: { code: 'ORGANISATION_NOT_FOUND' },
      });
    expect((await t.call('GET', `/organisations/${org.allocator2}`, operator)).status).toBe(200);
    expect(
      (await t.call('GET', `/organisations/${org.allocator2}/route`, t.token(org.allocator2, ['admin'])))
        .status,
    ).toBe(200);
  });

  it("lets an organisation's admin manage its own organisation, and the platform operator any", async () => {
    const admin2 = t.token(org.allocator2, ['admin']);
    const stock = await t.call('POST', `/organisations/${org.allocator2}/housing-stock`, admin2, {
      memberOrganisationId: org.corp2,
      dwellings: 900,
      effectiveFrom: '2025-01-01',
    });
    expect(stock.status).toBe(201);
    expect((await t.call('GET', `/organisations/${org.allocator2}/memberships`, admin2)).status).toBe(200);
    const members = await t.call(
      'GET',
      `/organisations/${org.allocator2}/memberships`,
      t.token(org.corp2, ['member']),
    );
    expect(members.status).toBe(200);
    const operatorStock = await t.call('POST', `/organisations/${org.allocator1}/housing-stock`, operator, {
      memberOrganisationId: org.corp1,
      dwellings: 500,
      effectiveFrom: '2025-01-01',
    });
    expect(operatorStock.status).toBe(201);
    expect((await t.call('GET', `/organisations/${org.allocator1}/housing-stock`, operator)).status).toBe(
      200,
    );
  });

  it("refuses a tenant's admin importing dossiers (into any organisation): migration is the platform operator's", async () => {
    const header = DOSSIER_COLUMNS.filter((c) => c !== 'deleted');
    const row: Record<string, string> = {
      source_system: 'aanval',
      dossier_number: 'D-1',
      surname: 'Indringer',
      birth_date: '1980-04-01',
      postcode: '1234 AB',
      house_number: '12',
      registration_date: '2015-03-01',
      organisation_id: org.allocator2,
    };
    const body = [header.join(','), header.map((c) => row[c] ?? '').join(',')].join('\n');
    const before = await t.count('registrations');
    const res = await t.raw('POST', '/dossier-imports?mode=full&source=aanval', {
      headers: { authorization: `Bearer ${admin1}`, 'content-type': 'text/csv' },
      body,
    });
    expect(res.status).toBe(403);
    expect(res.type).toContain('application/problem+json');
    expect(await t.count('registrations')).toBe(before);
    expect(await t.count('dossier_import_loads')).toBe(0);
  });

  async function deadLetter(eventId: string) {
    const kafka = createKafka({ brokers: t.config.KAFKA_BROKERS, clientId: `${t.prefix}dlq-tenancy` });
    const deadline = Date.now() + 30_000;
    let letters = await readDeadLetters(kafka, t.topics.name('dlqRegistration'));
    while (!letters.some((l) => l.eventId === eventId) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      letters = await readDeadLetters(kafka, t.topics.name('dlqRegistration'));
    }
    return letters.find((l) => l.eventId === eventId);
  }

  it('refuses a consent event of another organisation for a brand-new registration: no identity check, fields kept', async () => {
    const system2 = t.token(org.allocator2, ['allocation-system']);
    const fresh = await t.call('POST', '/registrations', system2, {
      surname: 'Nieuw',
      birthDate: '1991-04-12',
      genderMarker: 'X',
      postcode: '3011 AB',
      houseNumber: 10,
      registrationDate: '2021-09-01',
    });
    expect(fresh.status).toBe(201);
    const id = String(fresh.json.registrationId);
    const foreign = {
      consentId: randomUUID(),
      organisationId: org.allocator1,
      registrationId: id,
      subjectId: id,
      subjectRole: 'HOME_SEEKER' as const,
      allocationId: null,
      purpose: 'BSN_AT_REGISTRATION' as const,
    };
    const [grantId] = await t.publish(ConsentGrantedEvent, [
      {
        key: id,
        value: { ...foreign, textVersionHash: 'ef'.repeat(32), receiptId: 'rcpt-x', grantedAt: Date.now() },
      },
    ]);
    const [refusalId] = await t.publish(ConsentRefusedEvent, [
      { key: id, value: { ...foreign, consentId: randomUUID(), refusedAt: Date.now() } },
    ]);
    expect(await deadLetter(String(grantId))).toMatchObject({ errorCode: 'CONSENT_ORGANISATION_MISMATCH' });
    expect(await deadLetter(String(refusalId))).toMatchObject({ errorCode: 'CONSENT_ORGANISATION_MISMATCH' });
    expect(
      t.received.filter((e) => e.type === 'nl.divit.registration.IdentityCheckRequested' && e.key === id),
    ).toEqual([]);
    const [row] = await t.query<Record<string, unknown>>(
      'SELECT identity_status, gender_marker, postcode FROM registrations WHERE id = $1',
      [id],
    );
    expect(row).toEqual({ identity_status: 'NOT_STARTED', gender_marker: 'X', postcode: '3011 AB' });

    // The registration's own organisation's consent is handed over.
    await t.publish(ConsentGrantedEvent, [
      {
        key: id,
        value: {
          ...foreign,
          consentId: randomUUID(),
          organisationId: org.allocator2,
          textVersionHash: 'ef'.repeat(32),
          receiptId: 'rcpt-y',
          grantedAt: Date.now(),
        },
      },
    ]);
    const requests = await t.eventsMatching(
      (e) => e.type === 'nl.divit.registration.IdentityCheckRequested' && e.key === id,
      1,
    );
    expect(requests).toHaveLength(1);
  });
});
