import { deriveMemberState, householdProgress, MemberSignal, MemberState, mustShare } from './member-state';

const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
const waiting: MemberState = { status: 'WAITING_FOR_CONSENT', failure: null, consentId: null, since: t(0) };
const sig = (
  kind: MemberSignal['kind'],
  at: number,
  failure: MemberSignal['failure'] = null,
): MemberSignal => ({
  kind,
  consentId: `c-${kind}`,
  failure,
  occurredAt: t(at),
});

describe('who must share', () => {
  it('the home seeker (even if not adult), adult co-residents, not children', () => {
    expect(mustShare({ role: 'HOME_SEEKER', adult: true })).toBe(true);
    expect(mustShare({ role: 'HOME_SEEKER', adult: false })).toBe(true);
    expect(mustShare({ role: 'CO_RESIDENT', adult: true })).toBe(true);
    expect(mustShare({ role: 'CO_RESIDENT', adult: false })).toBe(false);
  });
});

describe('member state from signals in any order', () => {
  it('waits for consent, then for sharing, then is shared', () => {
    expect(deriveMemberState(waiting, [], undefined).status).toBe('WAITING_FOR_CONSENT');
    const granted = deriveMemberState(waiting, [sig('CONSENT_GRANTED', 1)], undefined);
    expect(granted).toMatchObject({ status: 'WAITING_FOR_SHARING', consentId: 'c-CONSENT_GRANTED' });
    expect(
      deriveMemberState(granted, [sig('CONSENT_GRANTED', 1)], { consentId: 'c1', receivedAt: t(2) }),
    ).toMatchObject({
      status: 'SHARED',
      consentId: 'c1',
    });
  });

  it('income before the consent event still counts as shared', () => {
    expect(deriveMemberState(waiting, [], { consentId: 'c1', receivedAt: t(2) }).status).toBe('SHARED');
  });

  it('a validation failure fails with its code, whatever arrived before or after', () => {
    const s = deriveMemberState(
      waiting,
      [sig('CONSENT_GRANTED', 1), sig('VALIDATION_FAILED', 3, 'U4_HASH_MISMATCH')],
      {
        consentId: 'c',
        receivedAt: t(2),
      },
    );
    expect(s).toMatchObject({ status: 'FAILED', failure: 'U4_HASH_MISMATCH', since: t(3) });
  });

  it('refusal and withdrawal before the test fail as U1_NO_CONSENT', () => {
    expect(deriveMemberState(waiting, [sig('CONSENT_REFUSED', 1)], undefined)).toMatchObject({
      status: 'FAILED',
      failure: 'U1_NO_CONSENT',
    });
    expect(
      deriveMemberState(waiting, [sig('CONSENT_WITHDRAWN', 5), sig('CONSENT_GRANTED', 1)], {
        consentId: 'c',
        receivedAt: t(2),
      }),
    ).toMatchObject({ status: 'FAILED', failure: 'U1_NO_CONSENT', since: t(5) });
  });

  it('FAILED and EXPIRED are final', () => {
    const expired: MemberState = {
      status: 'EXPIRED',
      failure: 'DEADLINE_EXPIRED',
      consentId: null,
      since: t(9),
    };
    expect(deriveMemberState(expired, [], { consentId: 'c', receivedAt: t(10) })).toBe(expired);
  });
});

describe('household progress', () => {
  const m = (memberId: string, s: Partial<MemberState>) => ({ ...waiting, memberId, ...s });
  it('waits while anyone is waiting', () => {
    expect(householdProgress([m('a', { status: 'SHARED' }), m('b', {})]).kind).toBe('WAITING');
  });
  it('runs the test when everyone shared', () => {
    expect(householdProgress([m('a', { status: 'SHARED' }), m('b', { status: 'SHARED' })]).kind).toBe(
      'ALL_SHARED',
    );
  });
  it('stops at the first failed or expired member with its code', () => {
    expect(
      householdProgress([
        m('a', { status: 'SHARED' }),
        m('b', { status: 'FAILED', failure: 'U3_BSN_CHECK_FAILED', since: t(5) }),
        m('c', { status: 'EXPIRED', failure: 'DEADLINE_EXPIRED', since: t(3) }),
      ]),
    ).toEqual({ kind: 'STOPPED', memberId: 'c', reason: 'DEADLINE_EXPIRED' });
  });
});
