import type { ErasureRequested } from '@divit/contracts';
import { isPermanent } from '@divit/messaging';
import { erasureAcknowledgementId, uuidV5 } from './acknowledgement-id';
import { ErasureHandler } from './erasure-handler';
import { erasureScope, scopeWhere } from './erasure-scope';

const command = (over: Partial<ErasureRequested> = {}): ErasureRequested => ({
  erasureId: '0b6f4d5e-8c1a-4f7e-9a2b-3c4d5e6f7a8b',
  targetService: 'CONSENT',
  category: 'CONSENT_PROOFS',
  reason: 'RETENTION_PERIOD_ENDED',
  policyId: 'default/CONSENT_PROOFS',
  organisationId: null,
  registrationId: null,
  subjectId: null,
  allocationId: null,
  recordedBefore: null,
  requestedAt: 1_767_000_000_000,
  ...over,
});

function refusal(fn: () => unknown): { code: string; message: string; permanent: boolean } {
  try {
    fn();
  } catch (error) {
    const e = error as { code: string; message: string };
    return { code: e.code, message: e.message, permanent: isPermanent(error) };
  }
  throw new Error('expected a refusal');
}

describe('erasure scope', () => {
  it('refuses a command with no scope at all, permanently, naming the erasure and category', () => {
    const r = refusal(() => erasureScope(command()));
    expect(r).toMatchObject({ code: 'ERASURE_UNSCOPED', permanent: true });
    expect(r.message).toContain('0b6f4d5e-8c1a-4f7e-9a2b-3c4d5e6f7a8b');
    expect(r.message).toContain('CONSENT_PROOFS');
  });

  it('refuses an organisation alone (it would erase the whole category of that organisation)', () => {
    const organisationId = '11111111-1111-4111-8111-111111111111';
    expect(refusal(() => erasureScope(command({ organisationId }))).code).toBe('ERASURE_UNSCOPED');
  });

  it.each([
    ['registrationId', { registrationId: '22222222-2222-4222-8222-222222222222' }],
    ['subjectId', { subjectId: '33333333-3333-4333-8333-333333333333' }],
    ['allocationId', { allocationId: '44444444-4444-4444-8444-444444444444' }],
    ['recordedBefore', { recordedBefore: 1_700_000_000_000 }],
  ] as const)('accepts a command scoped by %s', (_field, over) => {
    const scope = erasureScope(command(over));
    expect(scope).toMatchObject({
      ...over,
      ...('recordedBefore' in over ? { recordedBefore: new Date(over.recordedBefore) } : {}),
    });
  });

  it('builds one AND-ed condition from the set fields, numbering parameters after the caller’s', () => {
    const scope = erasureScope(
      command({
        organisationId: '11111111-1111-4111-8111-111111111111',
        subjectId: '33333333-3333-4333-8333-333333333333',
        recordedBefore: 1_700_000_000_000,
      }),
    );
    const w = scopeWhere(
      scope,
      {
        organisation: 'organisation_id = $?',
        subject: '(registration_id = $? OR member_id = $?)',
        recordedBefore: 'recorded_at < $?',
      },
      3,
    );
    expect(w.sql).toBe(
      '(organisation_id = $3) AND ((registration_id = $4 OR member_id = $4)) AND (recorded_at < $5)',
    );
    expect(w.params).toEqual([
      '11111111-1111-4111-8111-111111111111',
      '33333333-3333-4333-8333-333333333333',
      new Date(1_700_000_000_000),
    ]);
  });

  it('matches nothing on a table that has no column for a set scope field', () => {
    const scope = erasureScope(command({ registrationId: '22222222-2222-4222-8222-222222222222' }));
    expect(scopeWhere(scope, { organisation: 'organisation_id = $?' })).toEqual({ sql: 'false', params: [] });
  });
});

describe('acknowledgement ids', () => {
  it('is RFC 9562 UUIDv5 (the DNS-namespace example of python uuid.uuid5)', () => {
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
  });

  it('is the same for the same command, owner and category, and differs otherwise', () => {
    const id = erasureAcknowledgementId('0b6f4d5e-8c1a-4f7e-9a2b-3c4d5e6f7a8b', 'CONSENT', 'CONSENT_PROOFS');
    expect(
      erasureAcknowledgementId('0b6f4d5e-8c1a-4f7e-9a2b-3c4d5e6f7a8b', 'CONSENT', 'CONSENT_PROOFS'),
    ).toBe(id);
    expect(
      erasureAcknowledgementId('0b6f4d5e-8c1a-4f7e-9a2b-3c4d5e6f7a8b', 'CONSENT', 'ACCESS_LOGS'),
    ).not.toBe(id);
    expect(
      erasureAcknowledgementId('0b6f4d5e-8c1a-4f7e-9a2b-3c4d5e6f7a8b', 'REGISTRATION', 'CONSENT_PROOFS'),
    ).not.toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('ErasureHandler refusals (before any SQL)', () => {
  const tx = {
    query: () => {
      throw new Error('no SQL may run for a refused command');
    },
  };
  const outbox = {
    add: () => {
      throw new Error('a refused command is never acknowledged');
    },
  };
  const handler = new ErasureHandler(
    {
      owner: 'CONSENT',
      acknowledgement: { type: 'ack', topic: 'consentErasures', schema: {} },
      categories: { CONSENT_PROOFS: () => Promise.resolve({ consents: 1 }) },
    },
    outbox as never,
  );

  it('ignores a command for another service', async () => {
    await expect(handler.handle(tx as never, command({ targetService: 'REGISTRATION' }))).resolves.toEqual({
      status: 'ignored',
    });
  });

  it('refuses a category it does not own (permanent, misrouted)', async () => {
    await expect(
      handler.handle(
        tx as never,
        command({ category: 'HASHED_BSN', registrationId: '22222222-2222-4222-8222-222222222222' }),
      ),
    ).rejects.toMatchObject({ code: 'ERASURE_CATEGORY_NOT_OWNED', permanent: true });
  });

  it('refuses an unscoped command of an owned category (permanent)', async () => {
    await expect(handler.handle(tx as never, command())).rejects.toMatchObject({
      code: 'ERASURE_UNSCOPED',
      permanent: true,
    });
  });
});
