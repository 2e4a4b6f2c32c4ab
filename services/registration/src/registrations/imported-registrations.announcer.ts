import * as avro from 'avsc';
import {
  RegistrationCreatedEvent,
  RegistrationCreated,
  RegistrationDeregistered,
  RegistrationDeregisteredEvent,
} from '@divit/contracts';
import { AvroSerde, cloudEventHeaders, TopicNames } from '@divit/messaging';
import type { ImportedRegistrationsHook } from '../dossier-import/imported-registrations.hook';
import type { SqlExecutor } from '../dossier-import/dossier-import.repository';
import { ImportedRegistrationsRepository } from './imported-registrations.repository';

const FIELDS = ['registrationId', 'organisationId', 'registrationDate', 'origin', 'occurredAt'] as const;

/**
 * The Avro body of RegistrationCreated as fixed byte pieces around the three per-row strings, so a load of
 * hundreds of thousands of registrations is announced with one set-based INSERT: uuids (36 characters) and
 * dates (10) have constant-length prefixes, and origin and occurredAt are the same for the whole load.
 * `encode` is the same concatenation in TypeScript, used by the test that compares it with avsc.
 */
export function registrationCreatedLayout(serde: AvroSerde, occurredAt: number) {
  const type = serde.typeOf(RegistrationCreatedEvent) as avro.types.RecordType;
  const names = type.fields.map((f) => f.name);
  if (names.join() !== FIELDS.join()) {
    throw new Error(`RegistrationCreated changed (${names.join()}); update registrationCreatedLayout`);
  }
  const field = (i: number) => type.fields[i]!.type;
  const prefix = (i: number, length: number) => {
    const encoded = field(i).toBuffer('x'.repeat(length));
    return encoded.subarray(0, encoded.length - length);
  };
  const pieces = {
    beforeRegistrationId: prefix(0, 36),
    beforeOrganisationId: prefix(1, 36),
    beforeRegistrationDate: prefix(2, 10),
    tail: Buffer.concat([field(3).toBuffer('IMPORT'), field(4).toBuffer(occurredAt)]),
  };
  return {
    ...pieces,
    encode: (v: Pick<RegistrationCreated, 'registrationId' | 'organisationId' | 'registrationDate'>) =>
      Buffer.concat([
        pieces.beforeRegistrationId,
        Buffer.from(v.registrationId),
        pieces.beforeOrganisationId,
        Buffer.from(v.organisationId),
        pieces.beforeRegistrationDate,
        Buffer.from(v.registrationDate),
        pieces.tail,
      ]),
  };
}

const DEREGISTERED_FIELDS = ['registrationId', 'organisationId', 'occurredAt'] as const;

/**
 * The Avro body of RegistrationDeregistered as fixed byte pieces around the two per-row uuids (occurredAt is the
 * same for the whole load), for the same set-based INSERT as registrationCreatedLayout.
 */
export function registrationDeregisteredLayout(serde: AvroSerde, occurredAt: number) {
  const type = serde.typeOf(RegistrationDeregisteredEvent) as avro.types.RecordType;
  const names = type.fields.map((f) => f.name);
  if (names.join() !== DEREGISTERED_FIELDS.join()) {
    throw new Error(
      `RegistrationDeregistered changed (${names.join()}); update registrationDeregisteredLayout`,
    );
  }
  const field = (i: number) => type.fields[i]!.type;
  const prefix = (i: number, length: number) => {
    const encoded = field(i).toBuffer('x'.repeat(length));
    return encoded.subarray(0, encoded.length - length);
  };
  const pieces = {
    beforeRegistrationId: prefix(0, 36),
    beforeOrganisationId: prefix(1, 36),
    tail: field(2).toBuffer(occurredAt),
  };
  return {
    ...pieces,
    encode: (v: Pick<RegistrationDeregistered, 'registrationId' | 'organisationId'>) =>
      Buffer.concat([
        pieces.beforeRegistrationId,
        Buffer.from(v.registrationId),
        pieces.beforeOrganisationId,
        Buffer.from(v.organisationId),
        pieces.tail,
      ]),
  };
}

/**
 * Announces registrations created by a dossier import exactly like API-created ones (RegistrationCreated,
 * origin IMPORT), through the outbox, inside the import's merge transaction: all or nothing.
 */
export class ImportedRegistrationsAnnouncer implements ImportedRegistrationsHook {
  constructor(
    private readonly serde: AvroSerde,
    private readonly topics: TopicNames,
    private readonly source = '/divit/registration',
  ) {}

  private readonly repository = new ImportedRegistrationsRepository();

  async registrationsCreated(tx: SqlExecutor, createdRelation: string, _loadId: string): Promise<void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(createdRelation)) throw new Error('unexpected relation name');
    const now = new Date();
    const layout = registrationCreatedLayout(this.serde, now.getTime());
    const fingerprint = this.serde.fingerprint(RegistrationCreatedEvent);
    await this.repository.registerSchema(
      tx,
      fingerprint,
      RegistrationCreatedEvent.type,
      JSON.stringify(RegistrationCreatedEvent.schema),
    );
    // Constant headers; ce_id and ce_subject are added per row.
    const { ce_id: _id, ...headers } = cloudEventHeaders({
      id: '',
      type: RegistrationCreatedEvent.type,
      source: this.source,
      time: now,
    });
    await this.repository.insertCreatedEvents(tx, createdRelation, {
      topic: this.topics.name(RegistrationCreatedEvent.topic),
      eventType: RegistrationCreatedEvent.type,
      schemaFingerprint: fingerprint,
      beforeRegistrationId: layout.beforeRegistrationId,
      beforeOrganisationId: layout.beforeOrganisationId,
      beforeRegistrationDate: layout.beforeRegistrationDate,
      tail: layout.tail,
      headers: JSON.stringify(headers),
    });
    await this.repository.notifyOutbox(tx);
  }

  /**
   * Registrations a load ended (all their dossiers gone from the source): RegistrationDeregistered, as the API's
   * deregistration publishes it, so the hashed BSN is erased and the retention clocks start.
   */
  async registrationsDeregistered(
    tx: SqlExecutor,
    deregisteredRelation: string,
    occurredAt: number,
  ): Promise<void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(deregisteredRelation)) throw new Error('unexpected relation name');
    const layout = registrationDeregisteredLayout(this.serde, occurredAt);
    const fingerprint = this.serde.fingerprint(RegistrationDeregisteredEvent);
    await this.repository.registerSchema(
      tx,
      fingerprint,
      RegistrationDeregisteredEvent.type,
      JSON.stringify(RegistrationDeregisteredEvent.schema),
    );
    const { ce_id: _id, ...headers } = cloudEventHeaders({
      id: '',
      type: RegistrationDeregisteredEvent.type,
      source: this.source,
      time: new Date(occurredAt),
    });
    await this.repository.insertDeregisteredEvents(tx, deregisteredRelation, {
      topic: this.topics.name(RegistrationDeregisteredEvent.topic),
      eventType: RegistrationDeregisteredEvent.type,
      schemaFingerprint: fingerprint,
      beforeRegistrationId: layout.beforeRegistrationId,
      beforeOrganisationId: layout.beforeOrganisationId,
      tail: layout.tail,
      headers: JSON.stringify(headers),
    });
    await this.repository.notifyOutbox(tx);
  }
}
