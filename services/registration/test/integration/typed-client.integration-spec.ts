import { randomUUID } from 'node:crypto';
import { ok, ServiceCallError } from '@divit/api-clients';
import { decisionAnswers, RegistrationTestApp } from './support';

/**
 * The generated client (libs/api-clients, from docs/openapi/registration.json) against the real service: what an
 * allocator's integrator gets from the published document. Paths, parameters, bodies and response types are
 * checked at compile time; here the service answers what the types say, problems included.
 */
describe('registration through its generated client (real PostgreSQL, Kafka, registry)', () => {
  const t = new RegistrationTestApp();

  beforeAll(() => t.start(), 120_000);
  afterAll(() => t.stop());

  it('registers an organisation, reads it and its route on a date, and gets problems as typed errors', async () => {
    const operator = t.client('registration', t.platformOperator());
    const created = await ok(
      operator.POST('/organisations', {
        body: { name: 'Woonstichting Getypt', answers: decisionAnswers.routeA, effectiveFrom: '2025-01-01' },
      }),
      'register',
    );
    expect(created).toMatchObject({ name: 'Woonstichting Getypt', route: 'A', kind: 'CORPORATION' });

    const read = await ok(
      operator.GET('/organisations/{id}', {
        params: { path: { id: created.organisationId }, query: { at: '2025-06-01' } },
      }),
      'read',
    );
    expect(read).toMatchObject({ organisationId: created.organisationId, route: 'A', at: '2025-06-01' });
    const route = await ok(
      operator.GET('/organisations/{id}/route', {
        params: { path: { id: created.organisationId }, query: { at: '2025-06-01' } },
      }),
      'route',
    );
    expect(route).toEqual({
      organisationId: created.organisationId,
      route: 'A',
      coordinatorOrganisationId: null,
      effectiveFrom: '2025-01-01',
      at: '2025-06-01',
    });

    // A route before the first effective date: the documented 404 with its code.
    const before = await operator.GET('/organisations/{id}/route', {
      params: { path: { id: created.organisationId }, query: { at: '2024-12-31' } },
    });
    expect(before.response.status).toBe(404);
    expect(before.error).toMatchObject({ code: 'ROUTE_NOT_IN_FORCE' });

    // Another tenant's token: answered as if the organisation did not exist (no existence leak); ok() throws the
    // problem with its status and code.
    const outsider = t.client('registration', t.token(randomUUID(), ['admin']));
    const refused = ok(
      outsider.GET('/organisations/{id}', { params: { path: { id: created.organisationId } } }),
    );
    await expect(refused).rejects.toBeInstanceOf(ServiceCallError);
    await expect(refused).rejects.toMatchObject({ status: 404, problem: { code: 'ORGANISATION_NOT_FOUND' } });

    // No token at all: 401 problem.
    const anonymous = await t.client('registration', null).GET('/organisations/{id}', {
      params: { path: { id: created.organisationId } },
    });
    expect(anonymous.response.status).toBe(401);
  });

  it('refuses a client for another service than the app runs', () => {
    expect(() => t.client('consent', t.platformOperator())).toThrow('runs registration, not consent');
  });
});
