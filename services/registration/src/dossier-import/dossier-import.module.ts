import { Module } from '@nestjs/common';
import { DossierImportController } from './dossier-import.controller';
import { DossierImportRepository } from './dossier-import.repository';
import { DossierImportService } from './dossier-import.service';
import { MessagingRuntime } from '@divit/service-kit';
import { ImportedRegistrationsAnnouncer } from '../registrations/imported-registrations.announcer';
import { IMPORTED_REGISTRATIONS_HOOK } from './imported-registrations.hook';
import { OrganisationsModule } from '../organisations/organisations.module';
import { RegistrationMergeController } from './registration-merge.controller';
import { RegistrationMergeRepository } from './registration-merge.repository';
import { RegistrationMergeService } from './registration-merge.service';

@Module({
  imports: [OrganisationsModule],
  controllers: [DossierImportController, RegistrationMergeController],
  providers: [
    DossierImportService,
    DossierImportRepository,
    RegistrationMergeService,
    RegistrationMergeRepository,
    // Imported registrations are announced like API-created ones (RegistrationCreated, origin IMPORT).
    {
      provide: IMPORTED_REGISTRATIONS_HOOK,
      inject: [MessagingRuntime],
      useFactory: (messaging: MessagingRuntime) =>
        new ImportedRegistrationsAnnouncer(messaging.serde, messaging.topics),
    },
  ],
})
export class DossierImportModule {}
