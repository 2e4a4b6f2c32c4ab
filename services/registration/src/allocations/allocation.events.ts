import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  AllocationClosed,
  AllocationClosedEvent,
  AllocationOfferAccepted,
  AllocationOfferAcceptedEvent,
  AllocationRecorded,
  AllocationRecordedEvent,
  CoResidentIdentityProvided,
  CoResidentIdentityProvidedEvent,
} from '@divit/contracts';
import { MessagingRuntime } from '@divit/service-kit';

/**
 * Events of the allocations module, written to the outbox in the caller's transaction and keyed by
 * allocation id. AllocationRecorded (long-lived topic) is pseudonymous; the adult co-residents' stated
 * surname and birth date go only to the short-retention identity-data topic.
 */
@Injectable()
export class AllocationEvents {
  static readonly produced = [
    AllocationRecordedEvent,
    AllocationClosedEvent,
    AllocationOfferAcceptedEvent,
    CoResidentIdentityProvidedEvent,
  ];

  constructor(@Inject(MessagingRuntime) private readonly messaging: MessagingRuntime) {}

  async recorded(tx: EntityManager, value: AllocationRecorded): Promise<void> {
    await this.messaging.outbox.add(tx, AllocationRecordedEvent, { key: value.allocationId, value });
  }

  async closed(tx: EntityManager, value: AllocationClosed): Promise<void> {
    await this.messaging.outbox.add(tx, AllocationClosedEvent, { key: value.allocationId, value });
  }

  async offerAccepted(tx: EntityManager, value: AllocationOfferAccepted): Promise<void> {
    await this.messaging.outbox.add(tx, AllocationOfferAcceptedEvent, { key: value.allocationId, value });
  }

  async coResidentIdentities(
    tx: EntityManager,
    values: readonly CoResidentIdentityProvided[],
  ): Promise<void> {
    await this.messaging.outbox.addMany(
      tx,
      CoResidentIdentityProvidedEvent,
      values.map((value) => ({ key: value.allocationId, value })),
    );
  }
}
