import type { AlternativeRouteReason, MemberRequestStatus } from '@divit/contracts';

export type SignalKind = 'CONSENT_GRANTED' | 'CONSENT_REFUSED' | 'CONSENT_WITHDRAWN' | 'VALIDATION_FAILED';

export interface MemberSignal {
  kind: SignalKind;
  consentId: string;
  failure: AlternativeRouteReason | null;
  occurredAt: Date;
}

export interface MemberState {
  status: MemberRequestStatus;
  failure: AlternativeRouteReason | null;
  consentId: string | null;
  /** When the state was reached (the signal's time; for SHARED the income's receipt time). */
  since: Date;
}

/**
 * Where a member's request stands, from everything received so far — in any order. FAILED and EXPIRED are
 * final. A validation failure, a refusal or a withdrawal before the test fails the member (withdrawal and
 * refusal as U1_NO_CONSENT: the digital procedure stops and the household needs the alternative route).
 * Usable income makes the member SHARED even when its consent event has not arrived yet (the income event
 * names its consent). Otherwise a grant means WAITING_FOR_SHARING, nothing WAITING_FOR_CONSENT.
 */
export function deriveMemberState(
  current: MemberState,
  signals: readonly MemberSignal[],
  usableIncome: { consentId: string; receivedAt: Date } | undefined,
): MemberState {
  if (current.status === 'FAILED' || current.status === 'EXPIRED') return current;
  const ordered = [...signals].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const stop = ordered.find(
    (s) => s.kind === 'VALIDATION_FAILED' || s.kind === 'CONSENT_REFUSED' || s.kind === 'CONSENT_WITHDRAWN',
  );
  if (stop)
    return {
      status: 'FAILED',
      failure: stop.kind === 'VALIDATION_FAILED' ? (stop.failure ?? 'TECHNICAL_ERROR') : 'U1_NO_CONSENT',
      consentId: stop.consentId,
      since: stop.occurredAt,
    };
  if (usableIncome)
    return {
      status: 'SHARED',
      failure: null,
      consentId: usableIncome.consentId,
      since: usableIncome.receivedAt,
    };
  const grant = ordered.find((s) => s.kind === 'CONSENT_GRANTED');
  if (grant)
    return {
      status: 'WAITING_FOR_SHARING',
      failure: null,
      consentId: grant.consentId,
      since: grant.occurredAt,
    };
  return current.status === 'WAITING_FOR_CONSENT' ? current : { ...current, status: 'WAITING_FOR_CONSENT' };
}

/** The household's next step: keep waiting, stop (alternative route, first stopped member), or run the test. */
export type HouseholdProgress =
  | { kind: 'WAITING' }
  | { kind: 'STOPPED'; memberId: string; reason: AlternativeRouteReason }
  | { kind: 'ALL_SHARED' };

export function householdProgress(
  members: readonly (MemberState & { memberId: string })[],
): HouseholdProgress {
  const stopped = members
    .filter((m) => m.status === 'FAILED' || m.status === 'EXPIRED')
    .sort((a, b) => a.since.getTime() - b.since.getTime() || a.memberId.localeCompare(b.memberId));
  const first = stopped[0];
  if (first)
    return {
      kind: 'STOPPED',
      memberId: first.memberId,
      reason: first.status === 'EXPIRED' ? 'DEADLINE_EXPIRED' : (first.failure ?? 'TECHNICAL_ERROR'),
    };
  if (members.length > 0 && members.every((m) => m.status === 'SHARED')) return { kind: 'ALL_SHARED' };
  return { kind: 'WAITING' };
}

/** Who must share: the home seeker and every adult co-resident; children do not count. */
export function mustShare(member: { role: string; adult: boolean }): boolean {
  return member.role === 'HOME_SEEKER' || member.adult;
}
