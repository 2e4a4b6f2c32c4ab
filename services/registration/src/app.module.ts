import { DynamicModule, Module } from '@nestjs/common';
import { AccessLogModule } from '@divit/access-log';
import { deadLetterTopicFor } from '@divit/contracts';
import { ErasureModule, PlatformModule } from '@divit/service-kit';
import { RegistrationConfig } from './config/registration.config';
import { registrationDataSourceOptions } from './database/data-source';
import { DossierImportModule } from './dossier-import/dossier-import.module';
import { AccessModule } from './access/access.module';
import { OrganisationsModule } from './organisations/organisations.module';
import { AllocationsModule } from './allocations/allocations.module';
import { RegistrationsModule } from './registrations/registrations.module';
import { ERASURE_CONSUMER_GROUP, registrationErasure } from './erasure/owned-categories';

import { REGISTRATION_CONFIG } from './config/registration.tokens';
import { SubjectAccessModule } from './subject-access/subject-access.module';

export { REGISTRATION_CONFIG };

@Module({})
export class AppModule {
  static forRoot(config: RegistrationConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'registration',
          config,
          configToken: REGISTRATION_CONFIG,
          dataSource: registrationDataSourceOptions(config),
          accessLog: AccessLogModule.forRoot(),
          uploadRoutes: [
            { method: 'POST', path: '/dossier-imports', limitBytes: config.DOSSIER_IMPORT_LIMIT_BYTES },
          ],
        }),
        OrganisationsModule,
        AllocationsModule,
        RegistrationsModule,
        DossierImportModule,
        AccessModule,
        SubjectAccessModule,
        ErasureModule.forOwner(registrationErasure, {
          groupId: ERASURE_CONSUMER_GROUP,
          deadLetterTopic: deadLetterTopicFor.registration,
        }),
      ],
    };
  }
}
