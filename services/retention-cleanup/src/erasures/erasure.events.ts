import { Inject, Injectable } from '@nestjs/common';
import { ErasureRequestedEvent } from '@divit/contracts';
import { MessagingRuntime } from '@divit/service-kit';
import type { ErasureRow, Tx } from './erasures.repository';

/**
 * Erasure commands, written to the outbox in the caller's transaction. Keyed by registration id when the
 * command concerns a subject (so a subject's commands keep their order), else by erasure id. A re-send is a
 * new event (new event id) with the same erasure id: owners are idempotent on the erasure id.
 */
@Injectable()
export class ErasureEvents {
  constructor(@Inject(MessagingRuntime) private readonly messaging: MessagingRuntime) {}

  async requested(tx: Tx, rows: readonly ErasureRow[]): Promise<void> {
    await this.messaging.outbox.addMany(
      tx,
      ErasureRequestedEvent,
      rows.map((r) => ({
        key: r.registrationId ?? r.erasureId,
        ...(r.registrationId ? { subject: r.registrationId } : {}),
        value: {
          erasureId: r.erasureId,
          targetService: r.targetService,
          category: r.category,
          reason: r.reason,
          policyId: r.policyId,
          organisationId: r.organisationId,
          registrationId: r.registrationId,
          subjectId: r.subjectId,
          allocationId: r.allocationId,
          recordedBefore: r.recordedBefore ? r.recordedBefore.getTime() : null,
          requestedAt: (r.lastSentAt ?? new Date()).getTime(),
        },
      })),
    );
  }
}
