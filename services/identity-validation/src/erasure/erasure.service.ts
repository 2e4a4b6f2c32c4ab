import { AccessLogErasureScopeMissing, eraseAccessLog } from '@divit/access-log';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ErasureRequested, IdentityErasureCompletedEvent } from '@divit/contracts';
import { PermanentHandlerError } from '@divit/messaging';
import { createLogger } from '@divit/observability';
import { MessagingRuntime } from '@divit/service-kit';

/**
 * Erasure commands from retention-cleanup addressed to IDENTITY_VALIDATION: HASHED_BSN and ACCESS_LOGS,
 * scoped by the command's non-null fields, acknowledged with IdentityErasureCompleted in the same
 * transaction. Commands for other services are ignored; another category addressed here is misrouted
 * (dead-lettered).
 */
@Injectable()
export class ErasureService {
  private readonly logger = createLogger('ErasureService');

  constructor(@Inject(MessagingRuntime) private readonly messaging: MessagingRuntime) {}

  async handle(tx: EntityManager, command: ErasureRequested): Promise<void> {
    if (command.targetService !== 'IDENTITY_VALIDATION') return;
    let erased: number;
    switch (command.category) {
      case 'HASHED_BSN':
        erased = await this.erase(tx, 'bsn_hashes', command, {
          organisation: 'organisation_id',
          registration: 'registration_id',
          subject: 'registration_id',
          recorded: 'created_at',
        });
        break;
      case 'ACCESS_LOGS':
        erased = await eraseAccessLog(tx, command).catch((error: unknown) => {
          if (error instanceof AccessLogErasureScopeMissing)
            throw new PermanentHandlerError(
              'ERASURE_UNSCOPED',
              'an erasure command must be scoped by at least one field',
            );
          throw error;
        });
        break;
      case 'IDENTIFYING_DATA_FOR_CHECK':
      case 'UNUSED_INCOME':
      case 'USED_INCOME':
      case 'CONSENT_PROOFS':
      case 'REGISTRATION_DATA':
      case 'USAGE_LEDGER':
      case 'INVOICES_AND_REPORTS':
        throw new PermanentHandlerError(
          'ERASURE_CATEGORY_NOT_OWNED',
          `identity-validation does not own category ${command.category}`,
        );
    }
    this.logger.info('erasure done', { erasureId: command.erasureId, category: command.category, erased });
    await this.messaging.outbox.add(tx, IdentityErasureCompletedEvent, {
      key: command.erasureId,
      value: {
        erasureId: command.erasureId,
        category: command.category,
        erasedCount: erased,
        completedAt: Date.now(),
      },
    });
  }

  private async erase(
    tx: EntityManager,
    table: 'bsn_hashes',
    c: ErasureRequested,
    columns: { organisation: string; registration: string; subject: string; recorded: string },
  ): Promise<number> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (c.organisationId) add((p) => `${columns.organisation}::text = ${p}`, c.organisationId);
    if (c.registrationId) add((p) => `${columns.registration} = ${p}::uuid`, c.registrationId);
    // A subject is a home seeker's registration id (hashes are stored for home seekers only).
    if (c.subjectId) add((p) => `${columns.subject} = ${p}::uuid`, c.subjectId);
    if (c.allocationId)
      add(
        (p) =>
          `${columns.registration} IN (SELECT registration_id FROM allocations WHERE allocation_id = ${p}::uuid)`,
        c.allocationId,
      );
    if (c.recordedBefore !== null) add((p) => `${columns.recorded} < ${p}`, new Date(c.recordedBefore));
    if (where.length === 0)
      throw new PermanentHandlerError(
        'ERASURE_UNSCOPED',
        'an erasure command must be scoped by at least one field',
      );
    const rows = await tx.query<unknown[]>(
      `WITH gone AS (DELETE FROM ${table} WHERE ${where.join(' AND ')} RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      params,
    );
    return Number((rows[0] as { n: number }).n);
  }
}
