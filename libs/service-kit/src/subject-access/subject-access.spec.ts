import { randomUUID } from 'node:crypto';
import type { Role } from '../auth/jwt';
import {
  accessLogSummaryCategory,
  assertSubjectAccess,
  subjectAccessRecord,
  subjectAccessSection,
  SubjectAccessError,
} from './subject-access';

const registrationId = randomUUID();
const org = randomUUID();

describe('subject-access helpers', () => {
  it('summarises access-log entries per action: count, first and last', () => {
    const summary = accessLogSummaryCategory([
      { action: 'REGISTRATION_READ', occurredAt: '2026-01-02T10:00:00.000Z' },
      { action: 'REGISTRATION_READ', occurredAt: new Date('2026-01-01T10:00:00.000Z') },
      { action: 'ACCESS_LOG_READ', occurredAt: '2026-01-03T10:00:00.000Z' },
      { action: 'REGISTRATION_READ', occurredAt: '2026-01-05T10:00:00.000Z' },
    ]);
    expect(summary.category).toBe('access-log-summary');
    expect(summary.records).toEqual([
      {
        action: 'ACCESS_LOG_READ',
        count: 1,
        first: '2026-01-03T10:00:00.000Z',
        last: '2026-01-03T10:00:00.000Z',
      },
      {
        action: 'REGISTRATION_READ',
        count: 3,
        first: '2026-01-01T10:00:00.000Z',
        last: '2026-01-05T10:00:00.000Z',
      },
    ]);
  });

  it("answers 404 for an unknown registration and another organisation's; lets the owner, a coordinator and the operator read", () => {
    const code = (f: () => void) => {
      try {
        f();
        return 'allowed';
      } catch (e) {
        return e instanceof SubjectAccessError ? e.code : 'other';
      }
    };
    const caller = (organisationId: string, roles: Role[] = ['auditor']) => ({ organisationId, roles });
    expect(code(() => assertSubjectAccess(caller(org), registrationId, []))).toBe('SUBJECT_ACCESS_NOT_FOUND');
    expect(code(() => assertSubjectAccess(caller(randomUUID()), registrationId, [org]))).toBe(
      'SUBJECT_ACCESS_NOT_FOUND',
    );
    expect(code(() => assertSubjectAccess(caller(org.toUpperCase()), registrationId, [org]))).toBe('allowed');
    expect(code(() => assertSubjectAccess(caller(randomUUID()), registrationId, [org], [org]))).toBe(
      'allowed',
    );
    // The platform operator reads no personal data (ADR 0014).
    expect(
      code(() => assertSubjectAccess(caller('platform', ['platform-operator']), registrationId, [org])),
    ).toBe('SUBJECT_ACCESS_NOT_FOUND');
    expect(
      code(() => assertSubjectAccess(caller('platform', ['platform-operator']), registrationId, [])),
    ).toBe('SUBJECT_ACCESS_NOT_FOUND');
  });

  it('builds records with ISO dates and null for undefined, and validates the section', () => {
    expect(subjectAccessRecord({ at: new Date('2026-01-01T00:00:00Z'), gone: undefined, n: 1 })).toEqual({
      at: '2026-01-01T00:00:00.000Z',
      gone: null,
      n: 1,
    });
    const section = subjectAccessSection('consent', registrationId, []);
    expect(section).toMatchObject({ service: 'consent', registrationId, categories: [] });
    expect(() => subjectAccessSection('consent', 'not-a-uuid', [])).toThrow();
    expect(() =>
      subjectAccessSection('consent', registrationId, [{ category: '', description: 'x', records: [] }]),
    ).toThrow();
  });
});
