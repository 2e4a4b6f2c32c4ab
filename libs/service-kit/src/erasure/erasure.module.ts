import { DynamicModule, Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { ErasureRequestedEvent } from '@divit/contracts';
import { MessagingRuntime } from '../messaging-runtime';
import { ErasureHandler, ErasureOwnerDefinition } from './erasure-handler';

const ERASURE_CONSUMER_OPTIONS = Symbol('ERASURE_CONSUMER_OPTIONS');

export interface ErasureConsumerOptions {
  /** The service's own consumer group for the erasure-commands topic (namespaced by the topic prefix). */
  groupId: string;
  /** The service's dead-letter topic key (`deadLetterTopicFor.<service>`). */
  deadLetterTopic: string;
}

/** A consumer of the erasure-commands topic alone, for a service that reads no other event there. */
@Injectable()
export class ErasureConsumer implements OnApplicationBootstrap {
  constructor(
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
    @Inject(ErasureHandler) private readonly erasure: ErasureHandler,
    @Inject(ERASURE_CONSUMER_OPTIONS) private readonly options: ErasureConsumerOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.startConsumer({
      groupId: this.options.groupId,
      descriptors: [ErasureRequestedEvent] as const,
      deadLetterTopic: this.options.deadLetterTopic,
      handle: async (event, tx) => {
        await this.erasure.handle(tx, event.value);
      },
    });
  }
}

/**
 * A data-owning service's erasure protocol (docs/adr/0019): provides {@link ErasureHandler} for the service's
 * definition. With `consumer`, it also consumes the erasure commands in a group of its own; without, the service
 * routes `ErasureRequested` from its existing consumer to `ErasureHandler.handle` (one group, one inbox).
 */
@Module({})
export class ErasureModule {
  static forOwner(definition: ErasureOwnerDefinition, consumer?: ErasureConsumerOptions): DynamicModule {
    return {
      module: ErasureModule,
      providers: [
        {
          provide: ErasureHandler,
          useFactory: (messaging: MessagingRuntime) => new ErasureHandler(definition, messaging.outbox),
          inject: [MessagingRuntime],
        },
        ...(consumer ? [{ provide: ERASURE_CONSUMER_OPTIONS, useValue: consumer }, ErasureConsumer] : []),
      ],
      exports: [ErasureHandler],
    };
  }
}
