import { DataSource, EntityManager } from 'typeorm';
import { AccessLogService, decodeCursor, encodeCursor } from './access-log.service';
import { AccessLogErasureScopeMissing, eraseAccessLog } from './erase';

/** Unit tests with a fake data source: the SQL itself is proven by the integration specs on PostgreSQL. */
function fakeDataSource() {
  const inserted: Record<string, unknown>[] = [];
  const insertBuilder = {
    insert: () => insertBuilder,
    into: () => insertBuilder,
    values: (v: Record<string, unknown>) => {
      inserted.push(v);
      return insertBuilder;
    },
    orIgnore: () => insertBuilder,
    execute: () => Promise.resolve({}),
  };
  const manager = {
    insert: (_entity: unknown, v: Record<string, unknown>) => {
      inserted.push(v);
      return Promise.resolve();
    },
  } as unknown as EntityManager;
  const ds = { manager, createQueryBuilder: () => insertBuilder } as unknown as DataSource;
  return { ds, inserted };
}

const principal = {
  subject: 'user-1',
  organisationId: '3f2b8c1e-1234-4abc-9def-0123456789ab',
  roles: ['auditor' as const, 'admin' as const],
};

describe('AccessLogService', () => {
  it('records who, what and from where, with roles as an array and changed field names only', async () => {
    const { ds, inserted } = fakeDataSource();
    await new AccessLogService(ds).record({
      principal,
      action: 'REGISTRATION_UPDATED',
      resourceType: 'registration',
      resourceId: 'b2a4c7a0-0000-4000-8000-000000000001',
      organisationId: principal.organisationId,
      registrationId: 'b2a4c7a0-0000-4000-8000-000000000001',
      purpose: 'CASE_HANDLING',
      changedFields: ['surname', 'email'],
      origin: { ip: '::ffff:10.0.0.1', userAgent: 'curl/8.5.0' },
    });
    expect(inserted[0]).toMatchObject({
      kind: 'ACCESS',
      subject: 'user-1',
      subjectOrganisationId: principal.organisationId,
      roles: ['auditor', 'admin'],
      action: 'REGISTRATION_UPDATED',
      changedFields: ['email', 'surname'],
      ip: '::ffff:10.0.0.1',
      userAgent: 'curl/8.5.0',
      dedupeKey: null,
    });
  });

  it('keeps only uuids in the uuid columns and refuses an action that is not UPPER_SNAKE', async () => {
    const { ds, inserted } = fakeDataSource();
    const log = new AccessLogService(ds);
    await log.record({ principal, action: 'X_READ', organisationId: 'platform', registrationId: 'nope' });
    expect(inserted[0]).toMatchObject({
      organisationId: null,
      registrationId: null,
      ip: null,
      userAgent: null,
    });
    await expect(log.record({ principal, action: 'read; drop' })).rejects.toThrow(/UPPER_SNAKE/);
  });

  it('records an accepted token once per token and hour, and every rejected token', async () => {
    const { ds, inserted } = fakeDataSource();
    const log = new AccessLogService(ds);
    const accepted = {
      outcome: 'ACCEPTED' as const,
      subject: 'u',
      organisationId: principal.organisationId,
      roles: ['admin'],
      tokenRef: 'ref-1',
      ip: null,
      userAgent: null,
    };
    const at = new Date('2026-01-01T10:05:00Z');
    await log.authenticationOutcome(accepted, at);
    await log.authenticationOutcome(accepted, new Date('2026-01-01T10:55:00Z'));
    expect(inserted).toHaveLength(1);
    await log.authenticationOutcome(accepted, new Date('2026-01-01T11:00:00Z'));
    await log.authenticationOutcome({ ...accepted, tokenRef: 'ref-2' }, at);
    expect(inserted).toHaveLength(3);
    const rejected = {
      outcome: 'REJECTED' as const,
      reason: 'EXPIRED' as const,
      subject: null,
      organisationId: null,
      roles: [],
      ip: '1.2.3.4',
      userAgent: null,
    };
    await log.authenticationOutcome(rejected, at);
    await log.authenticationOutcome(rejected, at);
    expect(inserted.slice(3)).toEqual([
      expect.objectContaining({
        action: 'TOKEN_REJECTED',
        outcomeReason: 'EXPIRED',
        dedupeKey: null,
        kind: 'AUTHENTICATION',
      }),
      expect.objectContaining({ action: 'TOKEN_REJECTED', outcomeReason: 'EXPIRED', dedupeKey: null }),
    ]);
    expect(JSON.stringify(inserted)).not.toContain('ref-1');
  });

  it('round-trips its cursor and refuses anything else', () => {
    expect(decodeCursor(encodeCursor('12345'))).toBe('12345');
    expect(() => decodeCursor(Buffer.from('v1:1 OR 1=1').toString('base64url'))).toThrow();
    expect(() => decodeCursor('')).toThrow();
  });
});

describe('eraseAccessLog', () => {
  it('refuses an unscoped erasure before touching the database', async () => {
    const query = jest.fn();
    const em = { query } as unknown as EntityManager;
    await expect(eraseAccessLog(em, {})).rejects.toBeInstanceOf(AccessLogErasureScopeMissing);
    await expect(
      eraseAccessLog(em, {
        recordedBefore: null,
        organisationId: null,
        registrationId: null,
        allocationId: null,
      }),
    ).rejects.toBeInstanceOf(AccessLogErasureScopeMissing);
    // An organisation alone is no scope (as erasureScope in @divit/service-kit).
    await expect(
      eraseAccessLog(em, { organisationId: '3f2b8c1e-1234-4abc-9def-0123456789ab' }),
    ).rejects.toBeInstanceOf(AccessLogErasureScopeMissing);
    expect(query).not.toHaveBeenCalled();
  });

  it('passes the scope to erase_access_log_entries (a subject stands for its registration)', async () => {
    const query = jest.fn().mockResolvedValue([{ n: '4' }]);
    const em = { query } as unknown as EntityManager;
    expect(await eraseAccessLog(em, { subjectId: 'r-1', recordedBefore: 1_700_000_000_000 })).toBe(4);
    expect(query).toHaveBeenCalledWith(expect.stringContaining('erase_access_log_entries'), [
      new Date(1_700_000_000_000),
      null,
      'r-1',
      null,
    ]);
  });
});
