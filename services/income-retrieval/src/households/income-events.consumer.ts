import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  AllocationClosedEvent,
  AllocationRecordedEvent,
  ConsentGrantedEvent,
  ConsentRefusedEvent,
  ConsentWithdrawnEvent,
  deadLetterTopicFor,
  ErasureRequestedEvent,
  IdentityValidationFailedEvent,
  IncomeSharedEvent,
} from '@divit/contracts';
import { ConsumedEvent, MessageOf } from '@divit/messaging';
import {
  ErasureHandler,
  MessagingRuntime,
  OrganisationScope,
  startOrganisationScopeConsumer,
} from '@divit/service-kit';
import type { IncomeRetrievalConfig } from '../config/income-retrieval.config';
import { INCOME_RETRIEVAL_CONFIG } from '../tokens';
import { HouseholdsService } from './households.service';

const handled = [
  AllocationRecordedEvent,
  AllocationClosedEvent,
  ConsentGrantedEvent,
  ConsentRefusedEvent,
  ConsentWithdrawnEvent,
  IdentityValidationFailedEvent,
  IncomeSharedEvent,
  ErasureRequestedEvent,
] as const;

type Consumed = ConsumedEvent<MessageOf<typeof handled>>;

export const INCOME_RETRIEVAL_CONSUMER_GROUP = 'income-retrieval';
/** registration's organisation events: routes and memberships for the coordinator scope (docs/adr/0018). */
export const INCOME_RETRIEVAL_ORGANISATIONS_GROUP = 'income-retrieval-organisations';

/**
 * Kafka edge: allocations (registration), consent answers (consent), validation failures and shared income
 * (identity-validation), erasure commands (retention-cleanup). One group; the inbox makes it idempotent.
 */
@Injectable()
export class IncomeEventsConsumer implements OnApplicationBootstrap {
  constructor(
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
    @Inject(INCOME_RETRIEVAL_CONFIG) private readonly config: IncomeRetrievalConfig,
    private readonly households: HouseholdsService,
    @Inject(ErasureHandler) private readonly erasure: ErasureHandler,
    private readonly organisationScope: OrganisationScope,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Joins its group in the background (MessagingRuntime): readiness waits for the join, HTTP does not.
    await this.messaging.startConsumer({
      groupId: INCOME_RETRIEVAL_CONSUMER_GROUP,
      descriptors: handled,
      deadLetterTopic: deadLetterTopicFor['income-retrieval'],
      transactionBatchSize: this.config.CONSUMER_TX_BATCH,
      partitionsConsumedConcurrently: this.config.CONSUMER_CONCURRENCY,
      handleBatch: (events, tx) => this.applyChunk(events, tx),
    });
    await startOrganisationScopeConsumer(this.messaging, this.organisationScope, {
      groupId: INCOME_RETRIEVAL_ORGANISATIONS_GROUP,
      deadLetterTopic: deadLetterTopicFor['income-retrieval'],
    });
  }

  /**
   * A chunk of new events (one topic-partition, in order): runs of household events are applied together
   * through HouseholdsService.inChunk (set-based loads and writes); erasure commands run on their own, in order.
   */
  private async applyChunk(events: Consumed[], tx: EntityManager): Promise<void> {
    let run: Consumed[] = [];
    const flush = async () => {
      if (run.length === 0) return;
      const current = run;
      run = [];
      const allocationIds = current.flatMap((e) =>
        'allocationId' in e.value && e.value.allocationId ? [e.value.allocationId] : [],
      );
      const sharingIds = current.flatMap((e) =>
        e.type === IncomeSharedEvent.type ? [e.value.sharingId] : [],
      );
      await this.households.inChunk(tx, allocationIds, sharingIds, async () => {
        for (const event of current) await this.dispatch(event, tx);
      });
    };
    for (const event of events) {
      if (event.type === ErasureRequestedEvent.type) {
        await flush();
        await this.dispatch(event, tx);
      } else run.push(event);
    }
    await flush();
  }

  private async dispatch(event: Consumed, tx: EntityManager): Promise<void> {
    switch (event.type) {
      case 'nl.divit.registration.AllocationRecorded':
        return this.households.allocationRecorded(tx, event.value);
      case 'nl.divit.registration.AllocationClosed':
        return this.households.allocationClosed(tx, event.value);
      case 'nl.divit.consent.ConsentGranted':
        return this.households.consent(tx, 'CONSENT_GRANTED', event.value, event.value.grantedAt);
      case 'nl.divit.consent.ConsentRefused':
        return this.households.consent(tx, 'CONSENT_REFUSED', event.value, event.value.refusedAt);
      case 'nl.divit.consent.ConsentWithdrawn':
        return this.households.consent(tx, 'CONSENT_WITHDRAWN', event.value, event.value.withdrawnAt);
      case 'nl.divit.identityvalidation.IdentityValidationFailed':
        return this.households.validationFailed(tx, event.value);
      case 'nl.divit.identityvalidation.IncomeShared':
        return this.households.incomeShared(tx, event.value);
      case 'nl.divit.retentioncleanup.ErasureRequested':
        await this.erasure.handle(tx, event.value);
        return;
    }
  }
}
