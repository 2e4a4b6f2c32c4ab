import { eventId, eventIdTime } from './event-id';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('eventId (UUID version 7)', () => {
  it('is a version 7, variant 10 UUID carrying the time it was made', () => {
    const now = Date.UTC(2026, 11, 7, 18, 30, 0, 123);
    const id = eventId(now + 10_000_000); // later than any id made before in this process
    expect(id).toMatch(V7);
    expect(eventIdTime(id)).toBe(now + 10_000_000);
  });

  it('strictly increases within one millisecond and across many, also when the counter runs over', () => {
    const base = Date.UTC(2027, 0, 1);
    const ids: string[] = [];
    for (let i = 0; i < 20_000; i++) ids.push(eventId(base + Math.floor(i / 10_000)));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => V7.test(id))).toBe(true);
    // 10,000 ids in one millisecond overflow the 12-bit counter: the time field moves on, never back.
    expect(eventIdTime(ids[ids.length - 1]!)).toBeGreaterThan(base);
  });

  it('does not go back when the clock does', () => {
    const later = Date.UTC(2028, 0, 1);
    const a = eventId(later);
    const b = eventId(later - 5_000);
    expect(b > a).toBe(true);
  });
});
