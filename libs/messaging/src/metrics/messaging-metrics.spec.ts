import type { Admin } from 'kafkajs';
import { CachedSample, consumerLag } from './messaging-metrics';

describe('CachedSample', () => {
  it('loads once per ttl and shares one load in flight', async () => {
    let now = 0;
    let loads = 0;
    const sample = new CachedSample(
      () => Promise.resolve(++loads),
      1000,
      () => now,
    );
    expect(await Promise.all([sample.get(), sample.get()])).toEqual([1, 1]);
    now = 999;
    expect(await sample.get()).toBe(1);
    now = 1000;
    expect(await sample.get()).toBe(2);
  });

  it('does not cache a failed load', async () => {
    let fail = true;
    const sample = new CachedSample(
      () => (fail ? Promise.reject(new Error('down')) : Promise.resolve(7)),
      1000,
    );
    await expect(sample.get()).rejects.toThrow('down');
    fail = false;
    expect(await sample.get()).toBe(7);
  });
});

describe('consumerLag', () => {
  const admin = {
    fetchTopicOffsets: (topic: string) =>
      Promise.resolve(
        topic === 'a'
          ? [
              { partition: 0, offset: '10', high: '10', low: '0' },
              { partition: 1, offset: '5', high: '5', low: '2' },
            ]
          : [{ partition: 0, offset: '3', high: '3', low: '0' }],
      ),
    fetchOffsets: ({ groupId }: { groupId: string }) =>
      Promise.resolve(
        groupId === 'g1'
          ? [
              {
                topic: 'a',
                partitions: [
                  { partition: 0, offset: '7' },
                  { partition: 1, offset: '-1' },
                ],
              },
              { topic: 'b', partitions: [{ partition: 0, offset: '3' }] },
            ]
          : [
              {
                topic: 'a',
                partitions: [
                  { partition: 0, offset: '12' },
                  { partition: 1, offset: '5' },
                ],
              },
            ],
      ),
  } as unknown as Admin;

  it('is the end offset minus the committed offset, from the start when nothing was committed, never negative', async () => {
    const lag = await consumerLag(admin, [
      { groupId: 'g1', topics: ['a', 'b'] },
      { groupId: 'g2', topics: ['a'] },
    ]);
    expect(lag).toEqual([
      { groupId: 'g1', topic: 'a', partition: 0, lag: 3 },
      { groupId: 'g1', topic: 'a', partition: 1, lag: 3 },
      { groupId: 'g1', topic: 'b', partition: 0, lag: 0 },
      { groupId: 'g2', topic: 'a', partition: 0, lag: 0 },
      { groupId: 'g2', topic: 'a', partition: 1, lag: 0 },
    ]);
  });
});
