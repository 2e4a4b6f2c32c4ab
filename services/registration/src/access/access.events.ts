import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AccessSuspensionChanged, AccessSuspensionChangedEvent } from '@divit/contracts';
import { accessStateKey, MessagingRuntime } from '@divit/service-kit';

/**
 * The access state of a user, client or organisation, written to the outbox in the caller's transaction, keyed
 * `<scope>:<scopeId>` on the compacted topic every service's guard reads (docs/adr/0030).
 */
@Injectable()
export class AccessEvents {
  static readonly produced = [AccessSuspensionChangedEvent];

  constructor(@Inject(MessagingRuntime) private readonly messaging: MessagingRuntime) {}

  async changed(tx: EntityManager, value: AccessSuspensionChanged): Promise<void> {
    await this.messaging.outbox.add(tx, AccessSuspensionChangedEvent, {
      key: accessStateKey(value.scope, value.scopeId),
      value,
    });
  }
}
