import { OUTBOX_CHANNEL } from '@divit/messaging';
import type { SqlExecutor } from '../dossier-import/dossier-import.repository';

/** The constant parts of the RegistrationCreated outbox rows of one load (see registrationCreatedLayout). */
export interface CreatedEventRows {
  topic: string;
  eventType: string;
  schemaFingerprint: string;
  beforeRegistrationId: Buffer;
  beforeOrganisationId: Buffer;
  beforeRegistrationDate: Buffer;
  tail: Buffer;
  /** JSON of the constant CloudEvents headers; ce_id and ce_subject are added per row. */
  headers: string;
}

/** The constant parts of the RegistrationDeregistered outbox rows of one load (registrationDeregisteredLayout). */
export interface DeregisteredEventRows {
  topic: string;
  eventType: string;
  schemaFingerprint: string;
  beforeRegistrationId: Buffer;
  beforeOrganisationId: Buffer;
  tail: Buffer;
  headers: string;
}

/**
 * The set-based outbox writes of a dossier import's announcement (ADR 0025: SQL lives in repositories), inside
 * the import's merge transaction `tx`.
 */
export class ImportedRegistrationsRepository {
  /** Registers the writer schema for the outbox relay (once per fingerprint). */
  async registerSchema(
    tx: SqlExecutor,
    fingerprint: string,
    eventType: string,
    schema: string,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO outbox_schemas (fingerprint, event_type, schema) VALUES ($1, $2, $3) ON CONFLICT (fingerprint) DO NOTHING`,
      [fingerprint, eventType, schema],
    );
  }

  /** One outbox message per registration id in `createdRelation` (a checked relation name), in registration order. */
  async insertCreatedEvents(tx: SqlExecutor, createdRelation: string, rows: CreatedEventRows): Promise<void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(createdRelation)) throw new Error('unexpected relation name');
    await tx.query(
      `INSERT INTO outbox_messages (id, topic, message_key, event_type, schema_fingerprint, payload, headers)
       SELECT e.event_id, $1, r.id::text, $2, $3,
              $4::bytea || convert_to(r.id::text, 'UTF8') || $5::bytea || convert_to(r.organisation_id::text, 'UTF8')
                || $6::bytea || convert_to(to_char(r.registration_date, 'YYYY-MM-DD'), 'UTF8') || $7::bytea,
              $8::jsonb || jsonb_build_object('ce_id', e.event_id::text, 'ce_subject', r.id::text)
         FROM (SELECT id, gen_random_uuid() AS event_id FROM ${createdRelation}) e
         JOIN registrations r ON r.id = e.id
        ORDER BY r.registration_date, r.id`,
      [
        rows.topic,
        rows.eventType,
        rows.schemaFingerprint,
        rows.beforeRegistrationId,
        rows.beforeOrganisationId,
        rows.beforeRegistrationDate,
        rows.tail,
        rows.headers,
      ],
    );
  }

  /** One RegistrationDeregistered outbox message per registration id in `relation` (a checked relation name). */
  async insertDeregisteredEvents(
    tx: SqlExecutor,
    relation: string,
    rows: DeregisteredEventRows,
  ): Promise<void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(relation)) throw new Error('unexpected relation name');
    await tx.query(
      `INSERT INTO outbox_messages (id, topic, message_key, event_type, schema_fingerprint, payload, headers)
       SELECT e.event_id, $1, r.id::text, $2, $3,
              $4::bytea || convert_to(r.id::text, 'UTF8') || $5::bytea || convert_to(r.organisation_id::text, 'UTF8')
                || $6::bytea,
              $7::jsonb || jsonb_build_object('ce_id', e.event_id::text, 'ce_subject', r.id::text)
         FROM (SELECT id, gen_random_uuid() AS event_id FROM ${relation}) e
         JOIN registrations r ON r.id = e.id
        ORDER BY r.id`,
      [
        rows.topic,
        rows.eventType,
        rows.schemaFingerprint,
        rows.beforeRegistrationId,
        rows.beforeOrganisationId,
        rows.tail,
        rows.headers,
      ],
    );
  }

  /** Wakes the outbox relay (delivered at commit). */
  async notifyOutbox(tx: SqlExecutor): Promise<void> {
    await tx.query(`SELECT pg_notify($1, '')`, [OUTBOX_CHANNEL]);
  }
}
