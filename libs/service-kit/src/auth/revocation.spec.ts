import { AccessState, RevocationList } from './revocation';

const ORG = '3f1c2a9e-8d47-4b6a-9c1e-5a2b7d0e4f13';
const T = 1_800_000_000_000;

const state = (s: Partial<AccessState>): AccessState => ({
  scope: 'USER',
  scopeId: 'user-1',
  organisationId: ORG,
  suspendedFrom: null,
  tokensIssuedBefore: null,
  reason: 'USER_SUSPENDED',
  changedAt: T,
  ...s,
});

describe('RevocationList', () => {
  it('refuses the tokens of a suspended user, client or organisation from the suspension on', () => {
    const list = new RevocationList();
    list.apply(state({ scope: 'USER', scopeId: 'user-1', suspendedFrom: T }));
    list.apply(state({ scope: 'CLIENT', scopeId: 'allocation-system', suspendedFrom: T }));
    list.apply(state({ scope: 'ORGANISATION', scopeId: ORG.toUpperCase(), suspendedFrom: T + 60_000 }));
    expect(list.refusal({ sub: 'user-1', org: 'x', iat: T / 1000 }, T)).toEqual({
      scope: 'USER',
      scopeId: 'user-1',
      reason: 'USER_SUSPENDED',
    });
    expect(list.refusal({ sub: 'user-1', iat: T / 1000 }, T - 1)).toBeNull();
    expect(list.refusal({ sub: 'sa', azp: 'allocation-system', iat: T / 1000 }, T)?.scope).toBe('CLIENT');
    // An agreement's end in the future: access until then, none from then on.
    expect(list.refusal({ sub: 'other', org: ORG, iat: T / 1000 }, T + 59_999)).toBeNull();
    expect(list.refusal({ sub: 'other', org: ORG, iat: T / 1000 }, T + 60_000)?.scope).toBe('ORGANISATION');
    expect(list.refusal({ sub: 'someone-else', org: 'another', iat: T / 1000 }, T + 60_000)).toBeNull();
  });

  it('keeps refusing tokens issued before a reinstatement, and accepts later ones', () => {
    const list = new RevocationList();
    list.apply(state({ suspendedFrom: T, changedAt: T }));
    list.apply(
      state({ suspendedFrom: null, tokensIssuedBefore: T, reason: 'USER_REINSTATED', changedAt: T + 5 }),
    );
    expect(list.refusal({ sub: 'user-1', iat: T / 1000 - 10 }, T + 10)?.reason).toBe('USER_REINSTATED');
    expect(list.refusal({ sub: 'user-1', iat: T / 1000 + 1 }, T + 10)).toBeNull();
    expect(list.refusal({ sub: 'user-1' }, T + 10)).not.toBeNull();
  });

  it('ignores an older state delivered after a newer one, and forgets a scope with nothing to refuse', () => {
    const list = new RevocationList();
    expect(list.apply(state({ suspendedFrom: T, changedAt: T + 10 }))).toBe(true);
    expect(list.apply(state({ suspendedFrom: null, changedAt: T }))).toBe(false);
    expect(list.refusal({ sub: 'user-1', iat: T / 1000 }, T + 20)).not.toBeNull();
    list.apply(state({ suspendedFrom: null, tokensIssuedBefore: null, changedAt: T + 30 }));
    expect(list.size).toBe(0);
    expect(list.refusal({ sub: 'user-1', iat: T / 1000 }, T + 40)).toBeNull();
  });
});
