import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import {
  AllocationRecordedEvent,
  deadLetterTopicFor,
  HousingStockRecordedEvent,
  MembershipEndedEvent,
  MembershipStartedEvent,
  OrganisationRegisteredEvent,
  OrganisationRouteChangedEvent,
  UsageRecordedEvent,
} from '@divit/contracts';
import { ConsumedEvent, MessageOf } from '@divit/messaging';
import { MessagingRuntime } from '@divit/service-kit';
import { EntityManager } from 'typeorm';
import { BILLING_CONFIG } from '../config/billing.tokens';
import type { BillingConfig } from '../config/billing.config';
import { OrganisationsRepository } from '../organisations/organisations.repository';
import { UsageLedgerRepository } from './usage-ledger.repository';

const usage = [UsageRecordedEvent] as const;
const registration = [
  OrganisationRegisteredEvent,
  OrganisationRouteChangedEvent,
  MembershipStartedEvent,
  MembershipEndedEvent,
  HousingStockRecordedEvent,
  AllocationRecordedEvent,
] as const;

export const USAGE_GROUP = 'billing-reconciliation-usage';
export const REGISTRATION_GROUP = 'billing-reconciliation-registration';

/** Kafka edge: the usage ledger (batched) and the registration facts (erasure commands: ErasureModule). */
@Injectable()
export class BillingEventsConsumer implements OnApplicationBootstrap {
  constructor(
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
    private readonly ledger: UsageLedgerRepository,
    private readonly organisations: OrganisationsRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.startConsumer({
      groupId: REGISTRATION_GROUP,
      descriptors: registration,
      deadLetterTopic: deadLetterTopicFor['billing-reconciliation'],
      handle: (event, tx) => this.registrationEvent(event, tx),
    });
    await this.messaging.startConsumer({
      groupId: USAGE_GROUP,
      descriptors: usage,
      deadLetterTopic: deadLetterTopicFor['billing-reconciliation'],
      transactionBatchSize: this.config.BILLING_USAGE_BATCH_SIZE,
      partitionsConsumedConcurrently: this.config.BILLING_USAGE_CONCURRENCY,
      // A usage record is its own deduplication key (docs/adr/0038): no inbox mark per event.
      // The next fetch runs while a chunk is applied (docs/adr/0039).
      pipelined: true,
      idempotentWithoutInbox: {
        naturalKey: 'usage_records.usage_id: INSERT … ON CONFLICT (usage_id) DO NOTHING',
      },
      handleBatch: async (events, tx) => {
        await this.ledger.insertMany(
          tx,
          events.map((e) => e.value),
        );
      },
    });
  }

  private registrationEvent(
    event: ConsumedEvent<MessageOf<typeof registration>>,
    tx: EntityManager,
  ): Promise<void> {
    switch (event.type) {
      case 'nl.divit.registration.OrganisationRegistered':
        return this.organisations.registered(tx, event.value);
      case 'nl.divit.registration.OrganisationRouteChanged':
        return this.organisations.routeChanged(tx, event.value);
      case 'nl.divit.registration.MembershipStarted':
      case 'nl.divit.registration.MembershipEnded':
        return this.organisations.membership(tx, event.value);
      case 'nl.divit.registration.HousingStockRecorded':
        return this.organisations.housingStock(tx, event.value);
      case 'nl.divit.registration.AllocationRecorded':
        return this.organisations.allocation(tx, event.value);
    }
  }
}
