import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import {
  BillingErasureCompletedEvent,
  ConsentErasureCompletedEvent,
  deadLetterTopicFor,
  IdentityErasureCompletedEvent,
  IncomeErasureCompletedEvent,
  RegistrationErasureCompletedEvent,
} from '@divit/contracts';
import type { OwningService } from '@divit/contracts';
import { ConsumedEvent, MessageOf, PermanentHandlerError } from '@divit/messaging';
import { MessagingRuntime } from '@divit/service-kit';
import { ErasuresService } from './erasures.service';
import type { Tx } from './erasures.repository';

const handled = [
  RegistrationErasureCompletedEvent,
  ConsentErasureCompletedEvent,
  IdentityErasureCompletedEvent,
  IncomeErasureCompletedEvent,
  BillingErasureCompletedEvent,
] as const;

type Acknowledgement = ConsumedEvent<MessageOf<typeof handled>>;

/** The service whose erasures topic an acknowledgement came from (only that service may acknowledge). */
const serviceOf = (event: Acknowledgement): OwningService => {
  switch (event.type) {
    case 'nl.divit.registration.RegistrationErasureCompleted':
      return 'REGISTRATION';
    case 'nl.divit.consent.ConsentErasureCompleted':
      return 'CONSENT';
    case 'nl.divit.identityvalidation.IdentityErasureCompleted':
      return 'IDENTITY_VALIDATION';
    case 'nl.divit.incomeretrieval.IncomeErasureCompleted':
      return 'INCOME_RETRIEVAL';
    case 'nl.divit.billingreconciliation.BillingErasureCompleted':
      return 'BILLING_RECONCILIATION';
  }
};

export const ACK_CONSUMER_GROUP = 'retention-cleanup-acks';

/**
 * Kafka edge: the owners' acknowledgements on their five erasures topics. Set-based (handleBatch): a chunk of
 * acknowledgements completes its erasures and writes their deletion-log rows in one statement. An
 * acknowledgement that matches no command of that service and category is dead-lettered with the reason
 * (the chunk is then retried one by one, so only that one goes).
 */
@Injectable()
export class AcknowledgementsConsumer implements OnApplicationBootstrap {
  constructor(
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
    private readonly erasures: ErasuresService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.startConsumer({
      groupId: ACK_CONSUMER_GROUP,
      descriptors: handled,
      deadLetterTopic: deadLetterTopicFor['retention-cleanup'],
      transactionBatchSize: 1000,
      // An acknowledgement applies once by its erasure id (docs/adr/0038): the update skips COMPLETED erasures
      // and the deletion-log row is inserted ON CONFLICT (erasure_id) DO NOTHING, so no inbox mark per event.
      // The next fetch runs while a chunk is applied (docs/adr/0039).
      pipelined: true,
      idempotentWithoutInbox: {
        naturalKey:
          "scheduled_erasures.erasure_id (status <> 'COMPLETED') and deletion_log.erasure_id (ON CONFLICT DO NOTHING)",
      },
      handleBatch: (events, tx) => this.apply(events, tx),
    });
  }

  private async apply(events: Acknowledgement[], tx: Tx): Promise<void> {
    const unknown = await this.erasures.acknowledge(
      tx,
      events.map((e) => ({
        erasureId: e.value.erasureId,
        category: e.value.category,
        targetService: serviceOf(e),
        erasedCount: e.value.erasedCount,
        completedAt: new Date(e.value.completedAt),
      })),
    );
    if (unknown.length > 0) {
      throw new PermanentHandlerError(
        'UNKNOWN_ERASURE',
        `acknowledgement for erasure ${unknown[0]} matches no command of this service and category`,
      );
    }
  }
}
