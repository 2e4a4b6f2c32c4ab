import type { Admin } from 'kafkajs';
import { createTopicsReady } from './kafka';

/** A broker that has accepted the topics but answers "does not host" for the first few ListOffsets. */
function lateBroker(notHostedFor: number, existing: string[] = []) {
  let listOffsetsCalls = 0;
  const created: string[] = [];
  const admin = {
    listTopics: jest.fn(() => Promise.resolve(existing)),
    createTopics: jest.fn(({ topics }: { topics: { topic: string }[] }) => {
      created.push(...topics.map((t) => t.topic));
      return Promise.resolve(true);
    }),
    fetchTopicOffsets: jest.fn((topic: string) => {
      listOffsetsCalls++;
      if (listOffsetsCalls <= notHostedFor)
        return Promise.reject(
          Object.assign(new Error('This server does not host this topic-partition'), {
            type: 'UNKNOWN_TOPIC_OR_PARTITION',
          }),
        );
      return Promise.resolve(
        [0, 1, 2].map((partition) => ({ partition, offset: '0', high: '0', low: '0', topic })),
      );
    }),
  };
  return { admin: admin as unknown as Admin, mock: admin, created };
}

describe('createTopicsReady', () => {
  it('waits until the leaders serve the partitions instead of failing on "does not host this topic-partition"', async () => {
    const { admin, mock, created } = lateBroker(3);
    const result = await createTopicsReady(admin, [{ topic: 'a', numPartitions: 3 }], { intervalMs: 1 });
    expect(result).toEqual(['a']);
    expect(created).toEqual(['a']);
    // Not kafkajs' waitForLeaders, whose metadata request is where the error was thrown and not retried.
    expect(mock.createTopics).toHaveBeenCalledWith(expect.objectContaining({ waitForLeaders: false }));
    expect(mock.fetchTopicOffsets).toHaveBeenCalledTimes(4);
  });

  it('leaves existing topics alone and reports only those it created', async () => {
    const { admin, created } = lateBroker(0, ['a']);
    expect(
      await createTopicsReady(admin, [
        { topic: 'a', numPartitions: 3 },
        { topic: 'b', numPartitions: 3 },
      ]),
    ).toEqual(['b']);
    expect(created).toEqual(['b']);
  });

  it('throws at its deadline, naming the topic', async () => {
    const { admin } = lateBroker(Number.MAX_SAFE_INTEGER);
    await expect(
      createTopicsReady(admin, [{ topic: 'never', numPartitions: 3 }], { timeoutMs: 30, intervalMs: 5 }),
    ).rejects.toThrow(/topic never: not served by its leaders/);
  });
});
