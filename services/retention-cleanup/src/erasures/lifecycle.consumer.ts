import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import {
  AllocationClosedEvent,
  ConsentRefusedEvent,
  ConsentWithdrawnEvent,
  deadLetterTopicFor,
  IdentityValidationFailedEvent,
  IncomeDecisionMadeEvent,
  MemberRequestUpdatedEvent,
  RegistrationDeregisteredEvent,
} from '@divit/contracts';
import { ConsumedEvent, MessageOf } from '@divit/messaging';
import { MessagingRuntime, OrganisationScope, startOrganisationScopeConsumer } from '@divit/service-kit';
import { ErasuresService } from './erasures.service';
import type { Tx } from './erasures.repository';

const handled = [
  ConsentWithdrawnEvent,
  ConsentRefusedEvent,
  IdentityValidationFailedEvent,
  AllocationClosedEvent,
  RegistrationDeregisteredEvent,
  IncomeDecisionMadeEvent,
  MemberRequestUpdatedEvent,
] as const;

export const LIFECYCLE_CONSUMER_GROUP = 'retention-cleanup';
/** registration's organisation events: routes and memberships for the coordinator scope (docs/adr/0018). */
export const ORGANISATIONS_CONSUMER_GROUP = 'retention-cleanup-organisations';

/**
 * Kafka edge: lifecycle events that make erasures due. Withdrawal and failure issue their commands in this
 * transaction (not at the next sweep). RegistrationCreated and AllocationRecorded share topics with events
 * handled here but start no retention, so they are skipped.
 */
@Injectable()
export class LifecycleConsumer implements OnApplicationBootstrap {
  constructor(
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
    private readonly erasures: ErasuresService,
    private readonly organisationScope: OrganisationScope,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.startConsumer({
      groupId: LIFECYCLE_CONSUMER_GROUP,
      descriptors: handled,
      deadLetterTopic: deadLetterTopicFor['retention-cleanup'],
      handle: (event, tx) => this.dispatch(event, tx),
    });
    await startOrganisationScopeConsumer(this.messaging, this.organisationScope, {
      groupId: ORGANISATIONS_CONSUMER_GROUP,
      deadLetterTopic: deadLetterTopicFor['retention-cleanup'],
    });
  }

  private async dispatch(event: ConsumedEvent<MessageOf<typeof handled>>, tx: Tx): Promise<void> {
    switch (event.type) {
      case 'nl.divit.consent.ConsentWithdrawn': {
        const v = event.value;
        await this.erasures.trigger(tx, 'CONSENT_WITHDRAWN', scopeOf(v), new Date(v.withdrawnAt));
        return;
      }
      case 'nl.divit.consent.ConsentRefused': {
        const v = event.value;
        await this.erasures.trigger(tx, 'PROCEDURE_FAILED', scopeOf(v), new Date(v.refusedAt));
        return;
      }
      case 'nl.divit.identityvalidation.IdentityValidationFailed': {
        const v = event.value;
        await this.erasures.trigger(tx, 'PROCEDURE_FAILED', scopeOf(v), new Date(v.failedAt));
        return;
      }
      case 'nl.divit.registration.AllocationClosed': {
        const v = event.value;
        const trigger = v.outcome === 'LEASE_SIGNED' ? 'LEASE_SIGNED' : 'ALLOCATION_ENDED_WITHOUT_LEASE';
        await this.erasures.trigger(
          tx,
          trigger,
          {
            organisationId: v.organisationId,
            registrationId: v.registrationId,
            subjectId: null,
            allocationId: v.allocationId,
          },
          new Date(v.closedAt),
        );
        return;
      }
      case 'nl.divit.registration.RegistrationDeregistered': {
        const v = event.value;
        await this.erasures.trigger(
          tx,
          'REGISTRATION_DEREGISTERED',
          {
            organisationId: v.organisationId,
            registrationId: v.registrationId,
            subjectId: null,
            allocationId: null,
          },
          new Date(v.occurredAt),
        );
        return;
      }
      case 'nl.divit.incomeretrieval.IncomeDecisionMade': {
        const v = event.value;
        // Only a completed test uses income; exempt households and the alternative route use none.
        if (v.outcome !== 'ELIGIBLE' && v.outcome !== 'NOT_ELIGIBLE') return;
        await this.erasures.trigger(
          tx,
          'INCOME_DECISION',
          {
            organisationId: v.organisationId,
            registrationId: v.registrationId,
            subjectId: null,
            allocationId: v.allocationId,
          },
          new Date(v.decidedAt),
          undefined,
          // A retention may depend on the test's conclusion (docs/adr/0036).
          v.outcome,
        );
        return;
      }
      case 'nl.divit.incomeretrieval.MemberRequestUpdated': {
        const v = event.value;
        // A member who failed or let the deadline pass ends the digital procedure: the income shared so far is unused.
        if (v.status !== 'FAILED' && v.status !== 'EXPIRED') return;
        await this.erasures.trigger(
          tx,
          'PROCEDURE_FAILED',
          {
            organisationId: null,
            registrationId: v.registrationId,
            subjectId: null,
            allocationId: v.allocationId,
          },
          new Date(v.occurredAt),
          ['UNUSED_INCOME'],
        );
        return;
      }
    }
  }
}

function scopeOf(v: {
  organisationId?: string;
  registrationId: string;
  subjectId: string;
  allocationId: string | null;
}) {
  return {
    organisationId: v.organisationId ?? null,
    registrationId: v.registrationId,
    subjectId: v.subjectId,
    allocationId: v.allocationId,
  };
}
