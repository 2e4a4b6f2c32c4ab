import { Module } from '@nestjs/common';
import { DossierImportController } from './dossier-import.controller';
import { DossierImportRepository } from './dossier-import.repository';
import { DossierImportService } from './dossier-import.service';
import { announceNothing, IMPORTED_REGISTRATIONS_HOOK } from './imported-registrations.hook';

@Module({
  controllers: [DossierImportController],
  providers: [
    DossierImportService,
    DossierImportRepository,
    // Replace with the RegistrationCreated outbox writer once that event exists (see the hook's TODO).
    { provide: IMPORTED_REGISTRATIONS_HOOK, useValue: announceNothing },
  ],
})
export class DossierImportModule {}
