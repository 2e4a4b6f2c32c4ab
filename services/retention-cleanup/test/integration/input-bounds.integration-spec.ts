import { randomUUID } from 'node:crypto';
import { fieldsOf } from '@divit/testing';
import { RetentionTestApp } from './support';

/** Issue 13, item 5: instants outside 1900..2199 (PostgreSQL has no year 0) and control characters answer 400. */
describe('retention-cleanup: input bounds (real PostgreSQL, Kafka, registry)', () => {
  const t = new RetentionTestApp();
  let admin = '';

  beforeAll(async () => {
    await t.start();
    admin = t.token(randomUUID(), ['admin']);
  }, 120_000);
  afterAll(() => t.stop());

  it.each([['0000-01-01T00:00:00Z'], ['9999-12-31T23:59:59Z']])(
    'a legal hold expiring at %s answers 400 problem+json',
    async (expiresAt) => {
      const res = await t.call('POST', '/legal-holds', admin, {
        subjectId: randomUUID(),
        reason: 'court case',
        owner: 'legal',
        expiresAt,
      });
      expect(res.status).toBe(400);
      expect(res.type).toContain('application/problem+json');
      expect(fieldsOf(res)).toEqual(['expiresAt']);
      expect(await t.count('legal_holds')).toBe(0);
    },
  );

  it.each([['from'], ['to']])('GET /deletion-log?%s=0000-01-01T00:00:00Z answers 400', async (field) => {
    const res = await t.call('GET', `/deletion-log?${field}=0000-01-01T00:00:00Z`, admin);
    expect(res.status).toBe(400);
    expect(fieldsOf(res)).toEqual([field]);
  });

  it('a legal hold reason with a control character answers 400', async () => {
    const res = await t.call('POST', '/legal-holds', admin, {
      subjectId: randomUUID(),
      reason: 'court\u001bcase',
      owner: 'legal',
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res)).toEqual(['reason']);
  });
});
