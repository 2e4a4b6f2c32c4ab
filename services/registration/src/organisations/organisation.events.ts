import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OrganisationRegistered, OrganisationRegisteredEvent } from '@divit/contracts';
import { MessagingRuntime } from '@divit/service-kit';

/** Events produced by the organisations module, written to the outbox in the caller's transaction. */
@Injectable()
export class OrganisationEvents {
  static readonly produced = [OrganisationRegisteredEvent];

  constructor(@Inject(MessagingRuntime) private readonly messaging: MessagingRuntime) {}

  async registered(tx: EntityManager, value: OrganisationRegistered): Promise<void> {
    await this.messaging.outbox.add(tx, OrganisationRegisteredEvent, { key: value.organisationId, value });
  }
}
