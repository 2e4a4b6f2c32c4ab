import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** An event waiting to be relayed to Kafka; written in the same transaction as the change it reports. */
@Entity({ name: 'outbox_messages' })
export class OutboxMessageEntity {
  /** The event id (CloudEvents `id`), also the consumers' idempotency key. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** Insertion order; the relay publishes in this order so per-key order is kept. */
  @Index('ix_outbox_messages_seq', { unique: true })
  @Column({ type: 'bigint', generated: 'increment' })
  seq!: string;

  @Column({ type: 'varchar', length: 255 })
  topic!: string;

  @Column({ type: 'varchar', length: 255 })
  messageKey!: string;

  @Column({ type: 'varchar', length: 255 })
  eventType!: string;

  /** SHA-256 fingerprint of the writer schema (see {@link OutboxSchemaEntity}). */
  @Column({ type: 'varchar', length: 64 })
  schemaFingerprint!: string;

  /** Avro binary body (validated against the writer schema at insert time). */
  @Column({ type: 'bytea' })
  payload!: Buffer;

  /** CloudEvents and trace-context headers. */
  @Column({ type: 'jsonb' })
  headers!: Record<string, string>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

/** Writer schemas referenced by outbox rows, stored once per fingerprint. */
@Entity({ name: 'outbox_schemas' })
export class OutboxSchemaEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  fingerprint!: string;

  @Column({ type: 'varchar', length: 255 })
  eventType!: string;

  /** The Avro schema JSON that encoded the rows' bodies. */
  @Column({ type: 'text' })
  schema!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
