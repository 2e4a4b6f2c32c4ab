import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  AllocationClosedEvent,
  AllocationOfferAcceptedEvent,
  AllocationRecordedEvent,
  deadLetterTopicFor,
  ErasureRequestedEvent,
  MembershipEndedEvent,
  MembershipStartedEvent,
  OrganisationRegisteredEvent,
  OrganisationRouteChangedEvent,
  RegistrationCreatedEvent,
  RegistrationDeregisteredEvent,
} from '@divit/contracts';
import { ConsumedEvent, MessageOf } from '@divit/messaging';
import { ErasureHandler, MessagingRuntime } from '@divit/service-kit';
import { OrganisationsService } from '../organisations/organisations.service';

const handled = [
  OrganisationRegisteredEvent,
  OrganisationRouteChangedEvent,
  MembershipStartedEvent,
  MembershipEndedEvent,
  RegistrationCreatedEvent,
  RegistrationDeregisteredEvent,
  AllocationRecordedEvent,
  AllocationClosedEvent,
  AllocationOfferAcceptedEvent,
  ErasureRequestedEvent,
] as const;

export const CONSENT_CONSUMER_GROUP = 'consent';

/** Kafka edge: organisations (route, memberships), registrations, allocations, and erasure commands. */
@Injectable()
export class InboundEventsConsumer implements OnApplicationBootstrap {
  constructor(
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
    private readonly organisations: OrganisationsService,
    @Inject(ErasureHandler) private readonly erasure: ErasureHandler,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.startConsumer({
      groupId: CONSENT_CONSUMER_GROUP,
      descriptors: handled,
      deadLetterTopic: deadLetterTopicFor.consent,
      handle: (event, tx) => this.dispatch(event, tx),
    });
  }

  private async dispatch(event: ConsumedEvent<MessageOf<typeof handled>>, tx: EntityManager): Promise<void> {
    switch (event.type) {
      case 'nl.divit.registration.OrganisationRegistered':
        return this.organisations.organisationRegistered(tx, event.value);
      case 'nl.divit.registration.OrganisationRouteChanged':
        return this.organisations.routeChanged(tx, event.value);
      case 'nl.divit.registration.MembershipStarted':
      case 'nl.divit.registration.MembershipEnded':
        return this.organisations.membership(tx, event.value);
      case 'nl.divit.registration.RegistrationCreated':
        return this.organisations.registrationCreated(tx, event.value);
      case 'nl.divit.registration.RegistrationDeregistered':
        return this.organisations.registrationDeregistered(tx, event.value);
      case 'nl.divit.registration.AllocationRecorded':
        return this.organisations.allocationRecorded(tx, event.value);
      case 'nl.divit.registration.AllocationClosed':
        return this.organisations.allocationClosed(tx, event.value);
      case 'nl.divit.registration.AllocationOfferAccepted':
        return this.organisations.allocationOfferAccepted(tx, event.value);
      case 'nl.divit.retentioncleanup.ErasureRequested':
        await this.erasure.handle(tx, event.value);
        return;
    }
  }
}
