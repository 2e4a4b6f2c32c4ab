import { LIBERALISATION_LIMITS, liberalisationLimitOn } from './liberalisation-limit';

describe('liberalisationLimitOn (the liberalisation limit in force on a lease start)', () => {
  it('takes the entry of the lease date, switching on 1 January', () => {
    expect(liberalisationLimitOn('2024-12-31')?.limitCents).toBe(87966);
    expect(liberalisationLimitOn('2025-01-01')?.limitCents).toBe(90007);
    expect(liberalisationLimitOn('2025-12-31')?.limitCents).toBe(90007);
  });

  it('keeps the latest entry after it (and says so), and has none before the first', () => {
    const last = LIBERALISATION_LIMITS[LIBERALISATION_LIMITS.length - 1]!;
    expect(liberalisationLimitOn('2099-06-01')).toMatchObject({ limitCents: last.limitCents, latest: true });
    expect(liberalisationLimitOn('2024-06-01')).toMatchObject({ latest: false });
    expect(liberalisationLimitOn('2023-12-31')).toBeUndefined();
  });
});
