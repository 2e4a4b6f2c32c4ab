import { eraseAccessLog } from '@divit/access-log';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ErasureRequested, RegistrationErasureCompletedEvent } from '@divit/contracts';
import { PermanentHandlerError } from '@divit/messaging';
import { createLogger } from '@divit/observability';
import { MessagingRuntime } from '@divit/service-kit';

/**
 * Registration's side of retention (issue #8): applies erasure commands addressed to REGISTRATION and
 * acknowledges them on divit.registration.erasures.v1 through the outbox, in the consumer's transaction.
 * - IDENTIFYING_DATA_FOR_CHECK: clears gender marker, postcode and house number (+ addition);
 * - REGISTRATION_DATA: a deregistered registration, its household, its allocations (with the co-residents'
 *   stated identities) and its concordance rows are deleted; a pseudonymous tombstone stays;
 * - ACCESS_LOGS: rows recorded before the cut-off (and/or of one registration) go through
 *   the shared access log's erase_access_log_entries() (libs/access-log), the only way rows leave it.
 * A command applied before (re-sent with the same erasure id) is acknowledged again with the first count.
 */
@Injectable()
export class ErasureService {
  private readonly logger = createLogger('ErasureService');

  constructor(@Inject(MessagingRuntime) private readonly messaging: MessagingRuntime) {}

  async apply(tx: EntityManager, command: ErasureRequested): Promise<void> {
    if (command.targetService !== 'REGISTRATION') return;
    const previous = await tx.query<{ erased_count: number }[]>(
      `SELECT erased_count FROM applied_erasures WHERE erasure_id = $1`,
      [command.erasureId],
    );
    const erasedCount = previous[0]?.erased_count ?? (await this.erase(tx, command));
    if (!previous[0]) {
      await tx.query(
        `INSERT INTO applied_erasures (erasure_id, category, erased_count) VALUES ($1, $2, $3)`,
        [command.erasureId, command.category, erasedCount],
      );
    }
    await this.messaging.outbox.add(tx, RegistrationErasureCompletedEvent, {
      key: command.erasureId,
      value: {
        erasureId: command.erasureId,
        category: command.category,
        erasedCount,
        completedAt: Date.now(),
      },
    });
    this.logger.info('erasure applied', {
      erasureId: command.erasureId,
      category: command.category,
      erasedCount,
      repeated: Boolean(previous[0]),
    });
  }

  private async erase(tx: EntityManager, c: ErasureRequested): Promise<number> {
    const registrationId = c.registrationId ?? c.subjectId;
    const before = c.recordedBefore === null ? null : new Date(c.recordedBefore);
    switch (c.category) {
      case 'IDENTIFYING_DATA_FOR_CHECK': {
        if (!registrationId && !before)
          throw new PermanentHandlerError(
            'ERASURE_SCOPE_MISSING',
            'IDENTIFYING_DATA_FOR_CHECK needs a registration or a cut-off',
          );
        const rows = await tx.query<unknown[]>(
          `UPDATE registrations SET gender_marker = NULL, postcode = NULL, house_number = NULL,
             house_number_addition = NULL, updated_at = now(), version = version + 1
           WHERE ($1::uuid IS NULL OR id = $1::uuid) AND ($2::timestamptz IS NULL OR created_at < $2::timestamptz)
             AND ($3::uuid IS NULL OR organisation_id = $3::uuid)
             AND (gender_marker IS NOT NULL OR postcode IS NOT NULL OR house_number IS NOT NULL OR house_number_addition IS NOT NULL)
           RETURNING 1`,
          [registrationId, before, c.organisationId],
        );
        return affected(rows);
      }
      case 'REGISTRATION_DATA':
        return this.eraseRegistration(tx, c, registrationId, before);
      case 'ACCESS_LOGS': {
        if (!registrationId && !before)
          throw new PermanentHandlerError(
            'ERASURE_SCOPE_MISSING',
            'ACCESS_LOGS needs a cut-off or a registration',
          );
        return eraseAccessLog(tx, {
          recordedBefore: before,
          registrationId,
          organisationId: c.organisationId,
        });
      }
      case 'HASHED_BSN':
      case 'UNUSED_INCOME':
      case 'USED_INCOME':
      case 'CONSENT_PROOFS':
      case 'USAGE_LEDGER':
      case 'INVOICES_AND_REPORTS':
        throw new PermanentHandlerError(
          'ERASURE_MISROUTED',
          `registration does not own ${c.category}; the command was addressed to the wrong service`,
        );
    }
  }

  /** Deregistered registrations only: an active one is never erased by retention (count 0). */
  private async eraseRegistration(
    tx: EntityManager,
    c: ErasureRequested,
    registrationId: string | null,
    before: Date | null,
  ): Promise<number> {
    if (!registrationId && !before)
      throw new PermanentHandlerError(
        'ERASURE_SCOPE_MISSING',
        'REGISTRATION_DATA needs a registration or a cut-off',
      );
    const doomed = await tx.query<{ id: string }[]>(
      `SELECT id FROM registrations
       WHERE status = 'DEREGISTERED' AND ($1::uuid IS NULL OR id = $1::uuid)
         AND ($2::timestamptz IS NULL OR deregistered_at < $2::timestamptz)
         AND ($3::uuid IS NULL OR organisation_id = $3::uuid)
       FOR UPDATE`,
      [registrationId, before, c.organisationId],
    );
    if (doomed.length === 0) return 0;
    const ids = doomed.map((d) => d.id);
    await tx.query(
      `INSERT INTO erased_registrations (registration_id, organisation_id, registration_date, deregistered_at, erasure_id)
       SELECT id, organisation_id, registration_date, deregistered_at, $2 FROM registrations WHERE id = ANY($1::uuid[])
       ON CONFLICT (registration_id) DO NOTHING`,
      [ids, c.erasureId],
    );
    let n = 0;
    n += affected(
      await tx.query(
        `DELETE FROM allocation_members WHERE allocation_id IN (SELECT id FROM allocations WHERE registration_id = ANY($1::uuid[])) RETURNING 1`,
        [ids],
      ),
    );
    n += affected(
      await tx.query(`DELETE FROM allocations WHERE registration_id = ANY($1::uuid[]) RETURNING 1`, [ids]),
    );
    n += affected(
      await tx.query(`DELETE FROM dossier_concordance WHERE registration_id = ANY($1::uuid[]) RETURNING 1`, [
        ids,
      ]),
    );
    n += affected(
      await tx.query(`DELETE FROM household_members WHERE registration_id = ANY($1::uuid[]) RETURNING 1`, [
        ids,
      ]),
    );
    n += affected(await tx.query(`DELETE FROM registrations WHERE id = ANY($1::uuid[]) RETURNING 1`, [ids]));
    return n;
  }
}

/** Rows of an UPDATE/DELETE ... RETURNING (TypeORM's postgres driver answers them with [rows, count]). */
function affected(result: unknown): number {
  if (Array.isArray(result) && result.length === 2 && typeof result[1] === 'number') return result[1];
  return Array.isArray(result) ? result.length : 0;
}
