import { Module } from '@nestjs/common';
import { ErasureConsumer } from './erasure.consumer';
import { ErasureService } from './erasure.service';

/** Applies retention-cleanup's erasure commands to registration's own data and acknowledges them. */
@Module({ providers: [ErasureService, ErasureConsumer] })
export class ErasureModule {}
