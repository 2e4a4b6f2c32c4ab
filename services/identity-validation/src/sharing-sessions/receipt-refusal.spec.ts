import { receiptRefusal } from './start-session.use-case';

const at = new Date('2026-01-01T00:00:00Z');
const open = { state: 'AWAITING_DELIVERY', failureCode: null, deliveredAt: null };
const superseded = { state: 'SUPERSEDED', failureCode: null, deliveredAt: null };
const expiredUndelivered = { state: 'FAILED', failureCode: 'SESSION_EXPIRED', deliveredAt: null };

describe('receiptRefusal: when a consent receipt may start another sharing session', () => {
  it('a first session, or one replacing sessions MijnOverheid never reported on, may start', () => {
    expect(receiptRefusal('BSN_AT_REGISTRATION', [])).toBeNull();
    expect(receiptRefusal('BSN_AT_REGISTRATION', [open])).toBeNull();
    expect(receiptRefusal('BSN_AND_INCOME_AT_ALLOCATION', [open, superseded])).toBeNull();
  });

  it('after an undelivered expiry: registration purposes may start again, allocation may not', () => {
    expect(receiptRefusal('BSN_AT_REGISTRATION', [expiredUndelivered])).toBeNull();
    expect(receiptRefusal('BSN_FOR_EXISTING_REGISTRATION', [superseded, expiredUndelivered])).toBeNull();
    expect(receiptRefusal('BSN_AND_INCOME_AT_ALLOCATION', [expiredUndelivered])).toMatch(/allocation/);
  });

  it('a session MijnOverheid reported on, or one that ended otherwise, uses the receipt', () => {
    for (const used of [
      { state: 'AWAITING_CONFIRMATION', failureCode: null, deliveredAt: at },
      { state: 'VALIDATED', failureCode: null, deliveredAt: at },
      { state: 'FAILED', failureCode: 'ABORTED_BEFORE_LOGIN', deliveredAt: at },
      // expired while waiting for the confirmation: the dataset had arrived
      { state: 'FAILED', failureCode: 'SESSION_EXPIRED', deliveredAt: at },
      // stopped without a delivery for another reason (consent withdrawn, allocation closed)
      { state: 'FAILED', failureCode: 'U1_NO_CONSENT', deliveredAt: null },
    ])
      expect(receiptRefusal('BSN_AT_REGISTRATION', [superseded, used])).toMatch(/already completed/);
  });
});
