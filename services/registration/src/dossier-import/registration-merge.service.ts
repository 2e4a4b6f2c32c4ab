import { Inject, Injectable } from '@nestjs/common';
import { RegistrationDeregisteredEvent } from '@divit/contracts';
import { AccessLogService } from '@divit/access-log';
import { isPlatformOperator, MessagingRuntime } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { OrganisationScopeService } from '../organisations/organisation-scope.service';
import { todayInAmsterdam } from '../registrations/dto/registration.dto';
import { MergeResult } from './dto/registration-merge.dto';
import { RegistrationMergeError } from './registration-merge.errors';
import { RegistrationMergeRepository } from './registration-merge.repository';

/**
 * Merging by hand the duplicates the import's automatic key cannot see (a person who moved, or who registered with
 * two organisations; issue 16 item 14, docs/adr/0031). The duplicate's concordance rows move to the survivor, the
 * survivor keeps the earlier registration date, and the duplicate ends like an API deregistration
 * (RegistrationDeregistered through the outbox), all in one transaction under the import's lock; both
 * registrations get an access-log entry. A caller merges only registrations it can see (its own organisation, or
 * one it coordinates; the platform operator all): another organisation's answers like a missing one.
 */
@Injectable()
export class RegistrationMergeService {
  constructor(
    private readonly repository: RegistrationMergeRepository,
    private readonly scope: OrganisationScopeService,
    private readonly accessLog: AccessLogService,
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
  ) {}

  async merge(principal: Principal, survivorId: string, duplicateId: string): Promise<MergeResult> {
    if (survivorId === duplicateId) {
      throw new RegistrationMergeError(
        'MERGE_SAME_REGISTRATION',
        'A registration cannot be merged into itself.',
      );
    }
    return this.repository.transaction(async (tx) => {
      if (!(await this.repository.tryImportLock(tx))) {
        throw new RegistrationMergeError(
          'MERGE_IMPORT_IN_PROGRESS',
          'A dossier import is running; merge when it has finished.',
        );
      }
      const found = await this.repository.lockBoth(tx, [survivorId, duplicateId]);
      const today = todayInAmsterdam();
      for (const id of [survivorId, duplicateId]) {
        const r = found.get(id);
        const visible =
          r !== undefined &&
          (isPlatformOperator(principal) ||
            (await this.scope.canSee(principal, r.organisationId, today, tx)));
        if (!visible) {
          throw new RegistrationMergeError('MERGE_REGISTRATION_NOT_FOUND', 'No such registration.', {
            registrationId: id,
          });
        }
        if (r.status !== 'ACTIVE') {
          throw new RegistrationMergeError(
            'MERGE_REGISTRATION_DEREGISTERED',
            'Only active registrations are merged.',
            { registrationId: id },
          );
        }
      }
      // Checked above: both exist.
      const survivor = found.get(survivorId)!;
      const duplicate = found.get(duplicateId)!;
      if (duplicate.allocations > 0) {
        throw new RegistrationMergeError(
          'MERGE_DUPLICATE_HAS_ALLOCATIONS',
          'The duplicate has allocations; merge the other way round or close them first.',
          { registrationId: duplicateId },
        );
      }
      const dossiersMoved = await this.repository.moveConcordance(tx, survivorId, duplicateId);
      const registrationDate = await this.repository.keepEarliestDate(
        tx,
        survivorId,
        duplicate.registrationDate,
      );
      const endedAt = new Date();
      await this.repository.deregister(tx, duplicateId, endedAt);
      await this.messaging.outbox.add(tx, RegistrationDeregisteredEvent, {
        key: duplicateId,
        value: {
          registrationId: duplicateId,
          organisationId: duplicate.organisationId,
          occurredAt: endedAt.getTime(),
        },
        subject: duplicateId,
      });
      for (const [r, changedFields] of [
        [survivor, ['registrationDate', 'dossiers']],
        [duplicate, ['status', 'deregisteredAt', 'dossiers']],
      ] as const) {
        await this.accessLog.record(
          {
            principal,
            action: 'REGISTRATIONS_MERGED',
            resourceType: 'registration',
            resourceId: r.id,
            organisationId: r.organisationId,
            registrationId: r.id,
            purpose: 'MIGRATION',
            changedFields,
          },
          tx,
        );
      }
      return {
        survivorRegistrationId: survivorId,
        duplicateRegistrationId: duplicateId,
        dossiersMoved,
        registrationDate,
      };
    });
  }
}
