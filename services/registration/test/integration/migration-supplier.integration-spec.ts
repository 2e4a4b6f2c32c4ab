import { randomUUID } from 'node:crypto';
import { DOSSIER_COLUMNS } from '../../src/dossier-import/dossier-csv';
import { RegistrationTestApp } from './support';

/**
 * Issue 15 item 7 (seed 004: "Deze toegang zal tijdelijk zijn, eens de migratie afgelopen hebben zij geen toegang
 * meer nodig"): the migration supplier's role `dossier-import` sends dossier files and reads its load's status,
 * nothing else, and only inside the configured migration window; a refusal is access-logged. The platform
 * operator is not bound by the window. Two services: one inside its window, one after it.
 */
describe('registration: the migration supplier, limited to the import and to the migration window', () => {
  const hour = 3_600_000;
  const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
  const open = new RegistrationTestApp(undefined, undefined, {
    MIGRATION_WINDOW_START: iso(-hour),
    MIGRATION_WINDOW_END: iso(hour),
  });
  const ended = new RegistrationTestApp(undefined, undefined, {
    MIGRATION_WINDOW_START: iso(-2 * hour),
    MIGRATION_WINDOW_END: iso(-hour),
  });
  const supplierOrg = randomUUID();
  const header = DOSSIER_COLUMNS.filter((c) => c !== 'deleted').join(',');
  const importFile = (app: RegistrationTestApp, token: string, source: string) =>
    app.raw('POST', `/dossier-imports?mode=full&source=${source}`, {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body: `${header}\n`,
    });
  const refusals = (app: RegistrationTestApp) =>
    app.query<{ action: string; subject: string; roles: string[]; purpose: string }>(
      `SELECT action, subject, roles, purpose FROM access_log_entries
        WHERE kind = 'ACCESS' AND action LIKE '%REFUSED_OUTSIDE_MIGRATION_WINDOW' ORDER BY id`,
    );

  beforeAll(async () => {
    await open.start();
    await ended.start();
  }, 180_000);
  afterAll(async () => {
    await open.stop();
    await ended.stop();
  });

  it('inside the window: imports and reads its load, and nothing else', async () => {
    const supplier = open.token(supplierOrg, ['dossier-import'], 'migration-supplier');
    const imported = await importFile(open, supplier, 'supplier-a');
    expect(imported.status).toBe(201);
    const { loadId } = JSON.parse(imported.body.toString()) as { loadId: string };
    const load = await open.call('GET', `/dossier-imports/${loadId}`, supplier);
    expect(load).toMatchObject({ status: 200, json: { id: loadId, sourceSystem: 'supplier-a' } });

    // The exports that hold the file's personal data and every other route stay closed to the supplier.
    for (const [method, path] of [
      ['GET', '/dossier-imports/concordance'],
      ['GET', `/dossier-imports/${loadId}/rejects`],
      ['GET', `/organisations/${supplierOrg}`],
      ['GET', `/registrations/${randomUUID()}?purpose=ALLOCATION`],
      ['POST', '/allocations'],
    ] as const) {
      const answer = await open.call(method, path, supplier, method === 'POST' ? {} : undefined);
      expect({ path, status: answer.status, code: answer.json.code }).toEqual({
        path,
        status: 403,
        code: 'FORBIDDEN_ROLE',
      });
    }
    expect(await refusals(open)).toEqual([]);
  });

  it('after the window: the supplier is refused (403 MIGRATION_WINDOW_CLOSED) and logged, nothing is imported; the operator still imports', async () => {
    const supplier = ended.token(supplierOrg, ['dossier-import'], 'migration-supplier');
    const before = await ended.count('dossier_import_loads');

    const refused = await importFile(ended, supplier, 'supplier-b');
    expect(refused.status).toBe(403);
    const problem = JSON.parse(refused.body.toString()) as { code: string; detail: string };
    expect(problem.code).toBe('MIGRATION_WINDOW_CLOSED');
    expect(problem.detail).toMatch(/^the migration supplier has access from .+ until .+ only$/);
    const status = await ended.call('GET', `/dossier-imports/${randomUUID()}`, supplier);
    expect(status).toMatchObject({ status: 403, json: { code: 'MIGRATION_WINDOW_CLOSED' } });
    expect(await ended.count('dossier_import_loads')).toBe(before);

    expect(await refusals(ended)).toEqual([
      {
        action: 'DOSSIER_IMPORT_REFUSED_OUTSIDE_MIGRATION_WINDOW',
        subject: 'migration-supplier',
        roles: ['dossier-import'],
        purpose: 'MIGRATION',
      },
      {
        action: 'DOSSIER_IMPORT_LOAD_READ_REFUSED_OUTSIDE_MIGRATION_WINDOW',
        subject: 'migration-supplier',
        roles: ['dossier-import'],
        purpose: 'MIGRATION',
      },
    ]);

    const operator = await importFile(ended, ended.platformOperator(), 'operator-b');
    expect(operator.status).toBe(201);
  });

  it('refuses a window that ends before it starts, or half a window, at start-up', async () => {
    const { loadRegistrationConfig } = await import('../../src/config/registration.config');
    expect(() =>
      loadRegistrationConfig({ MIGRATION_WINDOW_START: iso(hour), MIGRATION_WINDOW_END: iso(-hour) }),
    ).toThrow(/MIGRATION_WINDOW_END must be after MIGRATION_WINDOW_START/);
    expect(() => loadRegistrationConfig({ MIGRATION_WINDOW_END: iso(hour) })).toThrow(
      /set both MIGRATION_WINDOW_START and MIGRATION_WINDOW_END/,
    );
  });
});
