import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Marks an event as processed by a consumer group; written in the same transaction as the handler's effect. */
@Entity({ name: 'inbox_messages' })
export class InboxMessageEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  eventId!: string;

  @PrimaryColumn({ type: 'varchar', length: 200 })
  consumerGroup!: string;

  @Column({ type: 'varchar', length: 255 })
  eventType!: string;

  @Column({ type: 'varchar', length: 255 })
  topic!: string;

  @Column({ type: 'integer' })
  partition!: number;

  @Column({ type: 'bigint' })
  offset!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  processedAt!: Date;
}
