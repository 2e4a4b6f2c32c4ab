import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  HousingStockRecorded,
  HousingStockRecordedEvent,
  MembershipEnded,
  MembershipEndedEvent,
  MembershipStarted,
  MembershipStartedEvent,
  OrganisationRegistered,
  OrganisationRegisteredEvent,
  OrganisationRouteChanged,
  OrganisationRouteChangedEvent,
} from '@divit/contracts';
import { MessagingRuntime } from '@divit/service-kit';

/**
 * Events produced by the organisations module, written to the outbox in the caller's transaction. All are
 * keyed by the organisation whose route or members they describe, so a consumer sees them in order.
 */
@Injectable()
export class OrganisationEvents {
  static readonly produced = [
    OrganisationRegisteredEvent,
    OrganisationRouteChangedEvent,
    MembershipStartedEvent,
    MembershipEndedEvent,
    HousingStockRecordedEvent,
  ];

  constructor(@Inject(MessagingRuntime) private readonly messaging: MessagingRuntime) {}

  async registered(tx: EntityManager, value: OrganisationRegistered): Promise<void> {
    await this.messaging.outbox.add(tx, OrganisationRegisteredEvent, { key: value.organisationId, value });
  }

  async routeChanged(tx: EntityManager, value: OrganisationRouteChanged): Promise<void> {
    await this.messaging.outbox.add(tx, OrganisationRouteChangedEvent, { key: value.organisationId, value });
  }

  async membershipStarted(tx: EntityManager, value: MembershipStarted): Promise<void> {
    await this.messaging.outbox.add(tx, MembershipStartedEvent, { key: value.organisationId, value });
  }

  async membershipEnded(tx: EntityManager, value: MembershipEnded): Promise<void> {
    await this.messaging.outbox.add(tx, MembershipEndedEvent, { key: value.organisationId, value });
  }

  async housingStockRecorded(tx: EntityManager, value: HousingStockRecorded): Promise<void> {
    await this.messaging.outbox.add(tx, HousingStockRecordedEvent, { key: value.organisationId, value });
  }
}
