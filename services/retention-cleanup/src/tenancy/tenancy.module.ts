import { Module } from '@nestjs/common';
import { OrganisationScope } from '@divit/service-kit';
import { ReaderScope } from './reader-scope';

/** Whose retention data a caller reads: its own organisation's, and as a route B/C coordinator its members' (ADR 0018). */
@Module({ providers: [OrganisationScope, ReaderScope], exports: [OrganisationScope, ReaderScope] })
export class TenancyModule {}
