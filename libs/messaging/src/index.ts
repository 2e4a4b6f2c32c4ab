import { CreateMessagingTables1763900000000 } from './migrations/1763900000000-create-messaging-tables';
import { InboxMessageEntity } from './inbox/inbox-message.entity';
import { OutboxMessageEntity, OutboxSchemaEntity } from './outbox/outbox-message.entity';
import { OutboxWriterSchemas1763950000000 } from './migrations/1763950000000-outbox-writer-schemas';

export * from './errors';
export * from './wire-format';
export * from './topic-names';
export * from './headers';
export * from './avro-serde';
export * from './kafka';
export * from './publisher';
export * from './outbox/outbox.writer';
export * from './outbox/outbox.relay';
export * from './consumer/event-consumer';
export * from './dlq/dead-letter';
export * from './dlq/dead-letter-tool';
export {
  OutboxMessageEntity,
  OutboxSchemaEntity,
  InboxMessageEntity,
  CreateMessagingTables1763900000000,
  OutboxWriterSchemas1763950000000,
};

/** Add to a service's entity list. */
export const messagingEntities = [OutboxMessageEntity, OutboxSchemaEntity, InboxMessageEntity];
/** Add to the start of a service's migration list. */
export const messagingMigrations = [CreateMessagingTables1763900000000, OutboxWriterSchemas1763950000000];
export * from './metrics/messaging-metrics';
export * from './event-id';
