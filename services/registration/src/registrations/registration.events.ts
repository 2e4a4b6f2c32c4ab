import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  RegistrationCreated,
  RegistrationCreatedEvent,
  RegistrationDeregistered,
  RegistrationDeregisteredEvent,
} from '@divit/contracts';
import { MessagingRuntime } from '@divit/service-kit';

/** Pseudonymous registration lifecycle events, written to the outbox in the caller's transaction. */
@Injectable()
export class RegistrationEvents {
  constructor(@Inject(MessagingRuntime) private readonly messaging: MessagingRuntime) {}

  async created(tx: EntityManager, value: RegistrationCreated): Promise<void> {
    await this.messaging.outbox.add(tx, RegistrationCreatedEvent, {
      key: value.registrationId,
      value,
      subject: value.registrationId,
    });
  }

  async deregistered(tx: EntityManager, value: RegistrationDeregistered): Promise<void> {
    await this.messaging.outbox.add(tx, RegistrationDeregisteredEvent, {
      key: value.registrationId,
      value,
      subject: value.registrationId,
    });
  }
}
