import { SqlExecutor } from './dossier-import.repository';

/**
 * Announcing imported registrations like ones created through the API (issue #3: `RegistrationCreated`,
 * defined by the registrations work, not here). The import calls `registrationsCreated` once per load,
 * INSIDE the merge transaction, so an implementation can write outbox rows atomically with the
 * registrations — set-based, e.g. `INSERT INTO outbox_messages ... SELECT ... FROM <createdRelation> JOIN
 * registrations ...`, because a first full load creates hundreds of thousands at once.
 *
 * Implemented by ImportedRegistrationsAnnouncer (registrations/imported-registrations.announcer.ts).
 */
export interface ImportedRegistrationsHook {
  /** `createdRelation` is a temporary table `(id uuid)` of the registrations this load created. */
  registrationsCreated(tx: SqlExecutor, createdRelation: string, loadId: string): Promise<void>;
  /**
   * `deregisteredRelation` is a temporary table `(id uuid)` of the registrations this load ended (every dossier
   * of theirs gone); `occurredAt` (epoch ms) is their `deregistered_at`. Announced as RegistrationDeregistered,
   * exactly like the API's deregistration, in the same transaction.
   */
  registrationsDeregistered(tx: SqlExecutor, deregisteredRelation: string, occurredAt: number): Promise<void>;
}

export const IMPORTED_REGISTRATIONS_HOOK = Symbol('IMPORTED_REGISTRATIONS_HOOK');
