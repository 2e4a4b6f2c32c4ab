import { AccessLogErasureScopeMissing, eraseAccessLog } from '@divit/access-log';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ConsentErasureCompletedEvent, ErasureRequested } from '@divit/contracts';
import { PermanentHandlerError } from '@divit/messaging';
import { MessagingRuntime } from '@divit/service-kit';

/**
 * Erasure commands from retention-cleanup for this service's categories: CONSENT_PROOFS (answers with their
 * receipts, and showings) and ACCESS_LOGS. Scoped by every non-null field of the command; acknowledged with
 * ConsentErasureCompleted through the outbox in the same transaction. Commands for other services are ignored.
 */
@Injectable()
export class ErasureService {
  constructor(@Inject(MessagingRuntime) private readonly messaging: MessagingRuntime) {}

  async handle(em: EntityManager, command: ErasureRequested): Promise<void> {
    if (command.targetService !== 'CONSENT') return;
    let erased: number;
    switch (command.category) {
      case 'CONSENT_PROOFS':
        erased =
          (await this.erase(em, 'consents', 'answered_at', command)) +
          (await this.erase(em, 'consent_showings', 'shown_at', command));
        break;
      case 'ACCESS_LOGS':
        erased = await eraseAccessLog(em, command).catch((error: unknown) => {
          if (error instanceof AccessLogErasureScopeMissing)
            throw new PermanentHandlerError(
              'UNSCOPED_ERASURE',
              'an erasure command must limit what it erases',
            );
          throw error;
        });
        break;
      case 'HASHED_BSN':
      case 'IDENTIFYING_DATA_FOR_CHECK':
      case 'UNUSED_INCOME':
      case 'USED_INCOME':
      case 'REGISTRATION_DATA':
      case 'USAGE_LEDGER':
      case 'INVOICES_AND_REPORTS':
        throw new PermanentHandlerError(
          'CATEGORY_NOT_OWNED',
          `misrouted erasure command: consent does not own category ${command.category}`,
        );
    }
    await this.messaging.outbox.add(em, ConsentErasureCompletedEvent, {
      key: command.erasureId,
      id: command.erasureId,
      value: {
        erasureId: command.erasureId,
        category: command.category,
        erasedCount: erased,
        completedAt: Date.now(),
      },
    });
  }

  private async erase(
    em: EntityManager,
    table: 'consents' | 'consent_showings',
    recordedColumn: string,
    c: ErasureRequested,
  ): Promise<number> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const add = (column: string, op: string, value: unknown) => {
      params.push(value);
      conditions.push(`${column} ${op} $${params.length}`);
    };
    if (c.organisationId) add('organisation_id', '=', c.organisationId);
    if (c.registrationId) add('registration_id', '=', c.registrationId);
    if (c.allocationId) add('allocation_id', '=', c.allocationId);
    if (c.subjectId) add('subject_id', '=', c.subjectId);
    if (c.recordedBefore !== null) add(recordedColumn, '<', new Date(c.recordedBefore));
    if (conditions.length === 0)
      throw new PermanentHandlerError('UNSCOPED_ERASURE', 'an erasure command must limit what it erases');
    const result = await em.query<[unknown, number]>(
      `DELETE FROM ${table} WHERE ${conditions.join(' AND ')}`,
      params,
    );
    return Number(result[1] ?? 0);
  }
}
