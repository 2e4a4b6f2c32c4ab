import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { deadLetterTopicFor, ErasureRequestedEvent } from '@divit/contracts';
import { MessagingRuntime } from '@divit/service-kit';
import { ErasureService } from './erasure.service';

export const ERASURE_CONSUMER_GROUP = 'registration-erasure';

/** Kafka edge: erasure commands from retention-cleanup (those addressed to other services are ignored). */
@Injectable()
export class ErasureConsumer implements OnApplicationBootstrap {
  constructor(
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
    private readonly erasure: ErasureService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.startConsumer({
      groupId: ERASURE_CONSUMER_GROUP,
      descriptors: [ErasureRequestedEvent] as const,
      deadLetterTopic: deadLetterTopicFor.registration,
      handle: (event, tx) => this.erasure.apply(tx, event.value),
    });
  }
}
