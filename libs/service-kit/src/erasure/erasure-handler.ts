import { EntityManager } from 'typeorm';
import type { DataCategory, ErasureRequested, OwningService } from '@divit/contracts';
import { EventDescriptorLike, OutboxWriter, PermanentHandlerError } from '@divit/messaging';
import { createLogger } from '@divit/observability';
import { erasureAcknowledgementId } from './acknowledgement-id';
import { ERASURE_ERROR_CODES } from './erasure-errors';
import { ErasureScope, erasureScope } from './erasure-scope';

/** Rows erased (deleted or cleared) per table by one category's erasure. */
export type ErasedRowsByTable = Record<string, number>;

/** How a service erases one category it owns: within the consumer's transaction, limited to the scope. */
export type CategoryEraser = (
  tx: EntityManager,
  scope: ErasureScope,
  command: ErasureRequested,
) => Promise<ErasedRowsByTable>;

/** The value of every `<X>ErasureCompleted` acknowledgement (the five share this shape). */
export interface ErasureCompletedValue {
  erasureId: string;
  category: DataCategory;
  erasedCount: number;
  completedAt: number;
}

/** A data-owning service's side of the erasure protocol: who it is, how it acknowledges, what it owns. */
export interface ErasureOwnerDefinition {
  owner: OwningService;
  /** The service's own `<X>ErasureCompleted` event (on its own `divit.<service>.erasures.v1` topic). */
  acknowledgement: EventDescriptorLike<string, ErasureCompletedValue>;
  /** Every category the service owns, and how it erases it. A category not listed is not owned. */
  categories: Partial<Record<DataCategory, CategoryEraser>>;
}

export type ErasureOutcome =
  | { status: 'ignored' }
  | {
      status: 'erased' | 'replayed';
      acknowledgementId: string;
      erasedCount: number;
      erasedRows: ErasedRowsByTable;
    };

/**
 * The one implementation of an owner's side of ADR 0009/0019, run inside the consumer's transaction:
 * - a command for another service is ignored (its inbox mark is all that is written);
 * - a category the service does not own → `ERASURE_CATEGORY_NOT_OWNED`, a command without a subject-level scope
 *   or cut-off → `ERASURE_UNSCOPED` (both permanent: dead-lettered with the reason, nothing erased or
 *   acknowledged);
 * - otherwise the category is erased within the scope and acknowledged through the outbox in the same
 *   transaction, with a deterministic event id (UUIDv5 of erasure id, owner, category);
 * - a replayed command (the same erasure id again, e.g. re-sent by the orchestrator's retry) erases nothing more
 *   and is not acknowledged a second time: `erasure_acknowledgements` holds one row per erasure id, claimed before
 *   erasing (a concurrent copy waits on the key and then finds it claimed).
 *
 * Legal holds are the orchestrator's: retention-cleanup does not issue a command a hold covers, so an owner
 * never sees one; an owner erases exactly the command's scope and nothing beyond it.
 */
export class ErasureHandler {
  private readonly logger = createLogger('ErasureHandler');

  constructor(
    readonly definition: ErasureOwnerDefinition,
    private readonly outbox: OutboxWriter,
  ) {}

  /** The categories this service owns (for documentation and tests). */
  get ownedCategories(): DataCategory[] {
    return Object.keys(this.definition.categories) as DataCategory[];
  }

  async handle(tx: EntityManager, command: ErasureRequested): Promise<ErasureOutcome> {
    const { owner, categories, acknowledgement } = this.definition;
    if (command.targetService !== owner) return { status: 'ignored' };
    const eraser = categories[command.category];
    if (!eraser)
      throw new PermanentHandlerError(
        ERASURE_ERROR_CODES.ERASURE_CATEGORY_NOT_OWNED,
        `${owner} does not own ${command.category} (owns ${this.ownedCategories.join(', ')}); misrouted erasure ${command.erasureId}`,
      );
    const scope = erasureScope(command);
    const acknowledgementId = erasureAcknowledgementId(command.erasureId, owner, command.category);

    const claimed = await tx.query<unknown[]>(
      `INSERT INTO erasure_acknowledgements (erasure_id, owner, category, acknowledgement_id)
       VALUES ($1, $2, $3, $4) ON CONFLICT (erasure_id) DO NOTHING RETURNING 1`,
      [command.erasureId, owner, command.category, acknowledgementId],
    );
    if (claimed.length === 0) return this.replayed(tx, command, acknowledgementId);

    const erasedRows = await eraser(tx, scope, command);
    const erasedCount = Object.values(erasedRows).reduce((sum, n) => sum + n, 0);
    await tx.query(
      `UPDATE erasure_acknowledgements SET erased_count = $2, erased_rows = $3::jsonb WHERE erasure_id = $1`,
      [command.erasureId, erasedCount, JSON.stringify(erasedRows)],
    );
    await this.outbox.add(tx, acknowledgement, {
      id: acknowledgementId,
      key: command.erasureId,
      value: {
        erasureId: command.erasureId,
        category: command.category,
        erasedCount,
        completedAt: Date.now(),
      },
    });
    this.logger.info('erasure applied and acknowledged', {
      erasureId: command.erasureId,
      owner,
      category: command.category,
      reason: command.reason,
      erasedCount,
      erasedRows,
    });
    return { status: 'erased', acknowledgementId, erasedCount, erasedRows };
  }

  private async replayed(
    tx: EntityManager,
    command: ErasureRequested,
    acknowledgementId: string,
  ): Promise<ErasureOutcome> {
    const [first] = await tx.query<
      { category: string; erased_count: number; erased_rows: ErasedRowsByTable }[]
    >(`SELECT category, erased_count, erased_rows FROM erasure_acknowledgements WHERE erasure_id = $1`, [
      command.erasureId,
    ]);
    if (first && first.category !== command.category)
      throw new PermanentHandlerError(
        ERASURE_ERROR_CODES.ERASURE_ID_CONFLICT,
        `erasure ${command.erasureId} was applied for ${first.category}, not ${command.category}`,
      );
    this.logger.info('erasure command replayed: applied and acknowledged before, nothing more done', {
      erasureId: command.erasureId,
      owner: this.definition.owner,
      category: command.category,
      erasedCount: first?.erased_count ?? 0,
    });
    return {
      status: 'replayed',
      acknowledgementId,
      erasedCount: Number(first?.erased_count ?? 0),
      erasedRows: first?.erased_rows ?? {},
    };
  }
}
