import { Module } from '@nestjs/common';
import { DossierImportController } from './dossier-import.controller';
import { DossierImportRepository } from './dossier-import.repository';
import { DossierImportService } from './dossier-import.service';
import { MessagingRuntime } from '@divit/service-kit';
import { ImportedRegistrationsAnnouncer } from '../registrations/imported-registrations.announcer';
import { IMPORTED_REGISTRATIONS_HOOK } from './imported-registrations.hook';

@Module({
  controllers: [DossierImportController],
  providers: [
    DossierImportService,
    DossierImportRepository,
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
