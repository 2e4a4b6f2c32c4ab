import { z } from 'zod';
import { accessLogEntryView, accessLogPageView } from '@divit/access-log';
import {
  allocationClosureViewSchema,
  allocationViewSchema,
} from '../../src/allocations/dto/allocation-view.dto';
import { importResultSchema, loadViewSchema } from '../../src/dossier-import/dto/dossier-import-views.dto';
import {
  housingStockAtViewSchema,
  housingStockHistoryViewSchema,
  housingStockRecordViewSchema,
  membershipsViewSchema,
  membershipViewSchema,
  organisationViewSchema,
  routeAtViewSchema,
  routeChangeViewSchema,
  routeHistorySchema,
} from '../../src/organisations/dto/organisation-views.dto';
import { registrationViewSchema } from '../../src/registrations/dto/registration-view.dto';
import { decisionAnswers, HttpResult, RegistrationTestApp } from './support';

// The shared access-log views are open objects; closed here, so that an extra field fails.
const accessLogEntriesSchema = z.array(accessLogEntryView.strict());
const accessLogPageSchema = accessLogPageView.extend({ entries: accessLogEntriesSchema }).strict();

/**
 * The response schemas (the source of the OpenAPI document's response schemas, issue 14) parse the real responses
 * of every operation: a field the code adds, drops or types differently fails here. The schemas are strict, so an
 * extra field (say, one that should not leave the service) fails too.
 */
describe('registration: real responses match the response schemas (real PostgreSQL, Kafka, registry)', () => {
  const t = new RegistrationTestApp();
  let operator = '';
  const org = { corp1: '', corp2: '', allocator: '', collab: '' };

  /** The body parsed with the schema; the issues (path and message) are the failure message. */
  function expectShape<S extends z.ZodType>(schema: S, res: HttpResult, status: number): z.infer<S> {
    expect({ status: res.status, type: res.type }).toEqual({
      status,
      type: expect.stringContaining('application/json') as unknown,
    });
    const parsed = schema.safeParse(JSON.parse(res.text));
    expect(parsed.error?.issues ?? []).toEqual([]);
    return parsed.data as z.infer<S>;
  }

  beforeAll(async () => {
    await t.start();
    operator = t.platformOperator();
    const register = async (name: string, answers: object, extra: object = {}) => {
      const res = await t.call('POST', '/organisations', operator, {
        name,
        answers,
        effectiveFrom: '2025-01-01',
        ...extra,
      });
      return expectShape(organisationViewSchema, res, 201).organisationId;
    };
    org.corp1 = await register('Woonstichting Schema Een', decisionAnswers.routeA);
    org.corp2 = await register('Woonstichting Schema Twee', decisionAnswers.routeA);
    org.allocator = await register('Woonruimteverdeler Schema', decisionAnswers.routeB);
    org.collab = await register('Samenwerkingsverband Schema', decisionAnswers.routeC, {
      coordinatorOrganisationId: org.corp1,
      memberOrganisationIds: [org.corp1, org.corp2],
    });
  });

  afterAll(() => t.stop());

  it('organisations: the organisation, its route on a date, its route history and a route change', async () => {
    const view = expectShape(
      organisationViewSchema,
      await t.call('GET', `/organisations/${org.collab}?at=2025-06-01`, operator),
      200,
    );
    expect(view).toMatchObject({ route: 'C', coordinatorOrganisationId: org.corp1, at: '2025-06-01' });
    expectShape(routeAtViewSchema, await t.call('GET', `/organisations/${org.collab}/route`, operator), 200);
    const change = expectShape(
      routeChangeViewSchema,
      await t.call('POST', `/organisations/${org.collab}/route-changes`, operator, {
        route: 'C',
        coordinatorOrganisationId: org.corp2,
        effectiveFrom: '2026-01-01',
      }),
      201,
    );
    expect(change.current).toEqual({
      route: 'C',
      coordinatorOrganisationId: org.corp2,
      effectiveFrom: '2026-01-01',
    });
    const history = expectShape(
      routeHistorySchema,
      await t.call('GET', `/organisations/${org.collab}/route-changes`, operator),
      200,
    );
    expect(history).toHaveLength(2);
  });

  it('memberships and housing stock: start, on a date, history, end; record, on a date, history', async () => {
    const started = expectShape(
      membershipViewSchema,
      await t.call('POST', `/organisations/${org.allocator}/memberships`, operator, {
        memberOrganisationId: org.corp1,
        validFrom: '2025-01-01',
      }),
      201,
    );
    expect(started.validTo).toBeNull();
    const on = expectShape(
      membershipsViewSchema,
      await t.call('GET', `/organisations/${org.allocator}/memberships?at=2025-06-01`, operator),
      200,
    );
    expect(on.memberships.map((m) => m.memberOrganisationId)).toEqual([org.corp1]);
    expectShape(
      housingStockRecordViewSchema,
      await t.call('POST', `/organisations/${org.allocator}/housing-stock`, operator, {
        memberOrganisationId: org.corp1,
        dwellings: 1200,
        effectiveFrom: '2025-01-01',
      }),
      201,
    );
    const stock = expectShape(
      housingStockAtViewSchema,
      await t.call('GET', `/organisations/${org.allocator}/housing-stock?at=2025-06-01`, operator),
      200,
    );
    expect(stock.totalDwellings).toBe(1200);
    expectShape(
      housingStockHistoryViewSchema,
      await t.call('GET', `/organisations/${org.allocator}/housing-stock/history`, operator),
      200,
    );
    const ended = expectShape(
      membershipViewSchema,
      await t.call('POST', `/organisations/${org.allocator}/memberships/${started.id}/end`, operator, {
        validTo: '2030-12-31',
      }),
      200,
    );
    expect(ended.validTo).toBe('2030-12-31');
    const history = expectShape(
      membershipsViewSchema,
      await t.call('GET', `/organisations/${org.allocator}/memberships/history`, operator),
      200,
    );
    expect(history.at).toBeNull();
  });

  it('registrations and allocations: create, read, update, access log, record, read, close, deregister', async () => {
    const allocationSystem = t.token(org.corp2, ['allocation-system'], 'allocation-system-schema');
    const auditor = t.token(org.corp2, ['auditor'], 'auditor-schema');
    const created = expectShape(
      registrationViewSchema,
      await t.call('POST', '/registrations', allocationSystem, {
        surnamePrefix: 'de',
        surname: 'Vries',
        birthDate: '1990-05-17',
        genderMarker: 'V',
        postcode: '1234ab',
        houseNumber: 12,
        houseNumberAddition: 'A',
        email: 'vries@example.nl',
        phone: '+31 6 12345678',
        registrationDate: '2019-03-14',
        household: [{ relation: 'PARTNER', surname: 'Jansen', birthDate: '1989-02-01' }],
      }),
      201,
    );
    const id = created.registrationId;
    expect(created.household).toHaveLength(1);
    expectShape(
      registrationViewSchema,
      await t.call('GET', `/registrations/${id}?purpose=ALLOCATION`, allocationSystem),
      200,
    );
    expectShape(
      registrationViewSchema,
      await t.call('PATCH', `/registrations/${id}`, allocationSystem, {
        phone: null,
        houseNumberAddition: null,
      }),
      200,
    );
    const log = expectShape(
      accessLogEntriesSchema,
      await t.call('GET', `/registrations/${id}/access-log`, auditor),
      200,
    );
    expect(log.map((e) => e.action)).toContain('REGISTRATION_CREATED');

    const allocation = expectShape(
      allocationViewSchema,
      await t.call('POST', '/allocations', allocationSystem, {
        registrationId: id,
        dwellingReference: 'VHE-SCHEMA-1',
        lettingCorporationId: org.corp2,
        monthlyRentCents: 72350,
        leaseStartDate: '2026-03-01',
        coResidents: [{ surname: 'Jansen', birthDate: '1989-02-01' }],
      }),
      201,
    );
    // The allocation system supplied the co-resident's identity, so it gets it back.
    expect(allocation.members[1]?.statedIdentity).toEqual({
      surnamePrefix: null,
      surname: 'Jansen',
      birthDate: '1989-02-01',
    });
    const asAuditor = expectShape(
      allocationViewSchema,
      await t.call('GET', `/allocations/${allocation.allocationId}`, auditor),
      200,
    );
    expect(asAuditor.members.every((m) => m.statedIdentity === undefined)).toBe(true);
    expectShape(
      allocationClosureViewSchema,
      await t.call('POST', `/allocations/${allocation.allocationId}/closure`, allocationSystem, {
        outcome: 'LEASE_SIGNED',
      }),
      200,
    );

    const deregistered = expectShape(
      registrationViewSchema,
      await t.call('POST', `/registrations/${id}/deregister`, allocationSystem),
      200,
    );
    expect(deregistered.status).toBe('DEREGISTERED');
    expect(deregistered.deregisteredAt).not.toBeNull();
  });

  it('dossier import: the load result and the load as JSON; concordance and rejects as text/csv', async () => {
    const header =
      'source_system,dossier_number,surname_prefix,surname,birth_date,gender_marker,postcode,house_number,' +
      'house_number_addition,email,phone,registration_date,organisation_id';
    const csv = [
      header,
      `schema,D1,,Bakker,1980-04-01,,1234 AB,12,,,,2015-03-01,${org.corp1}`,
      `schema,D2,,Visser,1980-02-30,,1234 AB,14,,,,2015-03-01,${org.corp1}`,
    ].join('\n');
    const uploaded = await t.raw('POST', '/dossier-imports?mode=full&source=schema', {
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${operator}` },
      body: csv,
    });
    expect(uploaded.status).toBe(201);
    const parsedResult = importResultSchema.safeParse(JSON.parse(uploaded.body.toString('utf8')));
    expect(parsedResult.error?.issues ?? []).toEqual([]);
    const result = parsedResult.data;
    expect(result?.counts).toMatchObject({ rowsRead: 2, rowsRejected: 1, rejectsStored: 1, dossiersNew: 1 });

    const load = expectShape(
      loadViewSchema,
      await t.call('GET', `/dossier-imports/${result?.loadId}`, operator),
      200,
    );
    expect(load).toMatchObject({ status: 'COMPLETED', sourceSystem: 'schema', mode: 'full' });
    expect(load.finishedAt).not.toBeNull();

    const concordance = await t.call('GET', '/dossier-imports/concordance?source=schema', operator);
    expect({ status: concordance.status, type: concordance.type }).toEqual({
      status: 200,
      type: 'text/csv; charset=utf-8',
    });
    expect(concordance.text.split('\n')[1]).toMatch(/^schema,D1,/);
    const rejects = await t.call('GET', `/dossier-imports/${result?.loadId}/rejects`, operator);
    expect({ status: rejects.status, type: rejects.type }).toEqual({
      status: 200,
      type: 'text/csv; charset=utf-8',
    });
    expect(rejects.text).toContain('Visser');
  });

  it('the shared access log: a page of entries with the cursor', async () => {
    const page = expectShape(accessLogPageSchema, await t.call('GET', '/access-log?limit=2', operator), 200);
    expect(page.entries).toHaveLength(2);
    expect(page.nextCursor).not.toBeNull();
  });
});
