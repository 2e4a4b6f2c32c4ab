import type { TopicKey } from '@divit/contracts';
import { ServiceTestApp } from '@divit/testing';
import { AppModule } from '../../src/app.module';
import { loadRegistrationConfig, RegistrationConfig } from '../../src/config/registration.config';
import { registrationDataSourceOptions } from '../../src/database/data-source';

export { eventually, fieldsOf } from '@divit/testing';
export type { HttpResult, ReceivedEvent } from '@divit/testing';

/** The registration service on the real stack (see ServiceTestApp in libs/testing). */
export class RegistrationTestApp extends ServiceTestApp<RegistrationConfig> {
  constructor(prefix?: string, observe?: TopicKey[], env?: Record<string, string>) {
    super({
      service: 'registration',
      loadConfig: (env) => loadRegistrationConfig(env),
      dataSourceOptions: registrationDataSourceOptions,
      appModule: (config) => AppModule.forRoot(config),
      ...(prefix ? { prefix } : {}),
      ...(observe ? { observe } : {}),
      ...(env ? { env } : {}),
    });
  }
}

export const decisionAnswers = {
  routeA: {
    isHousingCorporation: true,
    allocatesAlone: true,
    isCollaborationWithAllocationAim: false,
    collaborationIsWoonruimteverdeler: false,
  },
  routeB: {
    isHousingCorporation: false,
    allocatesAlone: false,
    isCollaborationWithAllocationAim: true,
    collaborationIsWoonruimteverdeler: true,
  },
  routeC: {
    isHousingCorporation: false,
    allocatesAlone: false,
    isCollaborationWithAllocationAim: true,
    collaborationIsWoonruimteverdeler: false,
  },
} as const;
