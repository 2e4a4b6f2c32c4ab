/**
 * Inspect and replay dead letters.
 *   npm run dlq -- list <service>                      metadata of every dead letter (never payloads)
 *   npm run dlq -- replay <service> --all              re-publish all to their original topics
 *   npm run dlq -- replay <service> --offset P:O ...   re-publish selected records (partition:offset)
 *   npm run dlq -- replay <service> --event-id ID ...  re-publish by CloudEvents id
 * Env: KAFKA_BROKERS (127.0.0.1:9092), KAFKA_TOPIC_PREFIX ('').
 * Replay is safe: consumer groups that already processed an event skip it by its id.
 * A truncated dead letter (its original was too large for the dead-letter topic, so only a reference to the
 * original topic/partition/offset was kept) cannot be replayed: `--all` leaves those out and says so; selecting
 * one explicitly fails with where its original is.
 */
import { deadLetterTopicFor, ServiceName, services, topicCatalogue } from '@divit/contracts';
import { createKafka, readDeadLetters, replayDeadLetters, TopicNames } from '@divit/messaging';
import { configureLogging, createLogger } from '@divit/observability';

async function main(): Promise<number> {
  const [command, service, ...rest] = process.argv.slice(2);
  if ((command !== 'list' && command !== 'replay') || !services.includes(service as ServiceName)) {
    console.error(
      `usage: dlq list|replay <${services.join('|')}> [--all | --offset P:O ... | --event-id ID ...]`,
    );
    return 2;
  }
  // warn: the tool's own notices (e.g. a skipped truncated dead letter) and the Kafka client's warnings.
  configureLogging({ level: 'warn' });
  const topics = new TopicNames(topicCatalogue, process.env.KAFKA_TOPIC_PREFIX ?? '');
  const dlqTopic = topics.name(deadLetterTopicFor[service as ServiceName]);
  const kafka = createKafka({
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    clientId: 'dlq-tool',
  });
  const letters = await readDeadLetters(kafka, dlqTopic);
  if (command === 'list') {
    console.log(`${letters.length} dead letter(s) on ${dlqTopic}`);
    for (const l of letters) {
      console.log(
        `${l.partition}:${l.offset}  ${l.failedAt}  ${l.errorCode}  group=${l.consumerGroup}  from=${l.originalTopic}[${l.originalPartition}]@${l.originalOffset}` +
          `  type=${l.eventType ?? '-'}  id=${l.eventId ?? '-'}  attempts=${l.attempts}  bytes=${l.valueBytes}` +
          (l.reference
            ? `  TRUNCATED (original ${l.reference.valueBytes} bytes, sha256 ${l.reference.valueSha256 ?? '-'})`
            : '') +
          `\n    reason: ${l.reason}`,
      );
    }
    return 0;
  }
  const offsets = new Set<string>();
  const ids = new Set<string>();
  let all = false;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--all') all = true;
    else if (rest[i] === '--offset' && rest[i + 1]) offsets.add(rest[++i] as string);
    else if (rest[i] === '--event-id' && rest[i + 1]) ids.add(rest[++i] as string);
    else {
      console.error(`unknown argument ${rest[i]}`);
      return 2;
    }
  }
  if (!all && offsets.size === 0 && ids.size === 0) {
    console.error('replay needs --all, --offset P:O or --event-id ID');
    return 2;
  }
  let selected = letters.filter(
    (l) => all || offsets.has(`${l.partition}:${l.offset}`) || (l.eventId !== null && ids.has(l.eventId)),
  );
  if (all) {
    const logger = createLogger('dlq');
    for (const l of selected.filter((s) => s.truncated))
      logger.warn('skipping a truncated dead letter; replay its original from the source topic', {
        partition: l.partition,
        offset: l.offset,
        originalTopic: l.originalTopic,
        originalPartition: l.originalPartition,
        originalOffset: l.originalOffset,
      });
    selected = selected.filter((l) => !l.truncated);
  }
  const replayed = await replayDeadLetters(kafka, dlqTopic, selected);
  console.log(
    `replayed ${replayed} of ${letters.length} dead letter(s) from ${dlqTopic} to their original topics`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`dlq: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
