/**
 * kafkajs' own retry of a batch spread over two brokers, replayed with kafkajs' real sendMessages and retrier
 * against a scripted cluster: broker 1 (leader of partition 0) answers NOT_LEADER_FOR_PARTITION after broker 2
 * (leader of partition 1) accepted its part, and the refreshed metadata moves partition 0 to broker 2.
 */
import { Kafka, logLevel } from 'kafkajs';
import { OutboxRelay, RELAY_PRODUCER_CONFIG, RELAY_PRODUCER_RETRY } from './outbox.relay';

type Produce = { topicData: { topic: string; partitions: { partition: number; messages: unknown[] }[] }[] };
type SendMessages = (opts: {
  acks: number;
  timeout?: number;
  compression?: number;
  topicMessages: { topic: string; messages: { key: string; value: string }[] }[];
}) => Promise<unknown>;

// kafkajs internals (plain JavaScript, no types): the code every producer.send/sendBatch runs.
/* eslint-disable @typescript-eslint/no-require-imports */
const createSendMessages = require('kafkajs/src/producer/sendMessages') as (o: unknown) => SendMessages;
const createRetry = require('kafkajs/src/retry') as (o: unknown) => unknown;
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as {
  createErrorFromCode: (code: number) => Error;
};
/* eslint-enable @typescript-eslint/no-require-imports */

function scriptedCluster() {
  const accepted: { node: number; partition: number; count: number }[] = [];
  let leaders: Record<number, number> = { 0: 1, 1: 2 };
  let broker1Failed = false;
  const broker = (node: number) => ({
    nodeId: node,
    async produce({ topicData }: Produce) {
      if (node === 1 && !broker1Failed) {
        broker1Failed = true;
        await new Promise((resolve) => setTimeout(resolve, 20)); // broker 2 has answered by now
        throw createErrorFromCode(6); // NOT_LEADER_FOR_PARTITION (retriable)
      }
      for (const t of topicData)
        for (const p of t.partitions)
          accepted.push({ node, partition: p.partition, count: p.messages.length });
      return {
        topics: topicData.map((t) => ({
          topicName: t.topic,
          partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: 0, baseOffset: '0' })),
        })),
      };
    },
  });
  const brokers: Record<number, ReturnType<typeof broker>> = { 1: broker(1), 2: broker(2) };
  const cluster = {
    refreshMetadataIfNecessary: () => Promise.resolve(),
    refreshMetadata: () => {
      leaders = { 0: 2, 1: 2 }; // broker 1 is shutting down: partition 0 moves to broker 2
      return Promise.resolve();
    },
    addMultipleTargetTopics: () => Promise.resolve(),
    isConnected: () => true,
    removeBroker: () => undefined,
    findTopicPartitionMetadata: () => [0, 1].map((p) => ({ partitionId: p, leader: leaders[p] })),
    findLeaderForPartitions: (_topic: string, partitions: number[]) => {
      const out: Record<number, number[]> = {};
      for (const p of partitions.map(Number)) (out[leaders[p] as number] ??= []).push(p);
      return out;
    },
    findBroker: ({ nodeId }: { nodeId: number }) => Promise.resolve(brokers[nodeId]),
  };
  const eosManager = {
    acquireBrokerLock: () => Promise.resolve(),
    releaseBrokerLock: () => Promise.resolve(),
    isTransactional: () => false,
    getSequence: () => 0,
    updateSequence: () => undefined,
    getProducerId: () => 1,
    getProducerEpoch: () => 0,
  };
  const logger = {
    error: () => undefined,
    warn: () => undefined,
    info: () => undefined,
    debug: () => undefined,
  };
  return { cluster, eosManager, logger, accepted };
}

function send(retry: object) {
  const { cluster, eosManager, logger, accepted } = scriptedCluster();
  const sendMessages = createSendMessages({
    logger,
    cluster,
    eosManager,
    partitioner: ({ message }: { message: { key: string } }) => Number(message.key),
    retrier: createRetry({ initialRetryTime: 1, maxRetryTime: 5, ...retry }),
  });
  const result = sendMessages({
    acks: -1,
    topicMessages: [
      {
        topic: 't',
        messages: [
          { key: '0', value: 'a' },
          { key: '1', value: 'b' },
        ],
      },
    ],
  });
  return { result, accepted };
}

describe('outbox relay producer retries (kafkajs partial-batch retry)', () => {
  it('kafkajs with its default retries resolves although partition 0 was never written', async () => {
    const { result, accepted } = send({ retries: 8 });
    await expect(result).resolves.toBeDefined();
    expect(accepted).toEqual([{ node: 2, partition: 1, count: 1 }]);
  });

  it('with the relay retry settings the batch fails as a whole, so the relay rolls back and sends it again', async () => {
    const { result, accepted } = send(RELAY_PRODUCER_RETRY);
    await expect(result).rejects.toThrow(/leader/i);
    expect(accepted).toEqual([{ node: 2, partition: 1, count: 1 }]);
  });

  it('the relay creates its producer with those settings', async () => {
    const producer = jest.fn(() => ({ connect: () => Promise.reject(new Error('stop here')) }));
    const relay = new OutboxRelay({
      kafka: { producer } as never,
      dataSource: {} as never,
      serde: {} as never,
    });
    await expect(relay.start()).rejects.toThrow('stop here');
    expect(producer).toHaveBeenCalledWith(expect.objectContaining({ retry: RELAY_PRODUCER_RETRY }));
  });

  it('kafkajs accepts that producer configuration (it refuses an idempotent producer without retries)', () => {
    const kafka = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });
    expect(() => kafka.producer({ ...RELAY_PRODUCER_CONFIG, idempotent: true })).toThrow(/retries/);
    expect(() => kafka.producer({ ...RELAY_PRODUCER_CONFIG })).not.toThrow();
  });
});
