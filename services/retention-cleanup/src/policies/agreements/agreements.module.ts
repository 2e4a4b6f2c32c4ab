import { DynamicModule, Global, Module } from '@nestjs/common';
import { Agreement, SHIPPED_AGREEMENTS } from './agreement';
import { AGREEMENTS } from './agreements.token';

/** Provides the agreement catalogue (docs/adr/0036): the shipped files, or in a test the ones it passes. */
@Global()
@Module({})
export class AgreementCatalogueModule {
  static forRoot(agreements: ReadonlyMap<string, Agreement> = SHIPPED_AGREEMENTS): DynamicModule {
    return {
      module: AgreementCatalogueModule,
      global: true,
      providers: [{ provide: AGREEMENTS, useValue: agreements }],
      exports: [AGREEMENTS],
    };
  }
}
