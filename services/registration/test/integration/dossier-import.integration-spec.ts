import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { RegistrationCreatedEvent, RegistrationDeregisteredEvent, topicCatalogue } from '@divit/contracts';
import { AvroSerde, createKafka, createTopicsReady, TopicNames } from '@divit/messaging';
import { createTestDatabase, pendingSchemaChanges, TestDatabase } from '@divit/persistence';
import { JsonNestLogger } from '@divit/observability';
import { LocalTokenIssuer } from '@divit/service-kit';
import { AppModule } from '../../src/app.module';
import { loadRegistrationConfig } from '../../src/config/registration.config';
import { registrationDataSourceOptions } from '../../src/database/data-source';
import { DOSSIER_COLUMNS, DossierColumn } from '../../src/dossier-import/dossier-csv';
import { DossierImportService } from '../../src/dossier-import/dossier-import.service';
import { MergeableDossier, mergeDossiers } from '../../src/dossier-import/duplicate-rule';

const prefix = `it-imp-${randomBytes(3).toString('hex')}-`;
const issuer = new LocalTokenIssuer();
const adminToken = issuer.sign({
  subject: 'operator-1',
  organisationId: 'platform',
  roles: ['platform-operator'],
});
const memberToken = issuer.sign({ subject: 'member-1', organisationId: randomUUID(), roles: ['member'] });
const ORG_A = randomUUID();
const ORG_B = randomUUID();
const repoRoot = resolve(__dirname, '../../../..');

type Row = Partial<Record<DossierColumn, string>>;
const HEADER = DOSSIER_COLUMNS.filter((c) => c !== 'deleted');

function csvOf(rows: (Row | string)[], header: readonly DossierColumn[] = HEADER): string {
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [
    header.join(','),
    ...rows.map((r) => (typeof r === 'string' ? r : header.map((c) => quote(r[c] ?? '')).join(','))),
  ].join('\n');
}

const person = (over: Row): Row => ({
  source_system: 'woonnet',
  surname: 'Jansen',
  birth_date: '1980-04-01',
  postcode: '1234 AB',
  house_number: '12',
  registration_date: '2015-03-01',
  organisation_id: ORG_A,
  ...over,
});

// The full load of source "woonnet" (line numbers in comments; line 1 is the header).
const FULL: (Row | string)[] = [
  person({ dossier_number: 'D1', email: 'jansen@example.nl' }), // 2
  person({
    dossier_number: 'D2',
    surname_prefix: '',
    surname: 'JANSÉN',
    postcode: '1234ab',
    registration_date: '2012-01-10',
    phone: '0612345678',
  }), // 3: same person as D1
  person({
    dossier_number: 'D3',
    surname_prefix: 'de',
    surname: 'Vries',
    birth_date: '1975-11-30',
    house_number: '3',
    registration_date: '2018-06-01',
  }), // 4
  person({ dossier_number: 'D4', birth_date: '1980-02-30', postcode: '12345' }), // 5: rejected
  person({ dossier_number: 'D5', organisation_id: randomUUID() }), // 6: rejected, unknown organisation
  person({ dossier_number: 'D3', surname: 'Other', registration_date: '2001-01-01' }), // 7: rejected, D3 twice
  'woonnet,D8,only,three', // 8: rejected, field count
  person({
    dossier_number: 'D7',
    surname: 'Bakker',
    birth_date: '1990-07-07',
    house_number: '99',
    registration_date: '2020-02-02',
  }), // 9
];

interface RegistrationRow {
  id: string;
  surname: string;
  registration_date: string;
  email: string | null;
  phone: string | null;
  status: string;
  version: number;
  updated_at: Date;
}

describe('registration: dossier import (real PostgreSQL)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  let workDir: string;

  beforeAll(async () => {
    const seed = loadRegistrationConfig({ KAFKA_TOPIC_PREFIX: prefix });
    db = await createTestDatabase({ prefix: 'dossier_import', options: registrationDataSourceOptions(seed) });
    const config = loadRegistrationConfig({
      AUTH_JWKS: JSON.stringify(issuer.jwks),
      KAFKA_TOPIC_PREFIX: prefix,
      SCHEMA_AUTO_REGISTER: 'true',
      DB_NAME: db.name,
      DB_USER: 'postgres',
    });
    // The app consumes and produces on catalogue topics at boot: create them under this file's prefix.
    const topics = new TopicNames(topicCatalogue, prefix);
    const admin = createKafka({ brokers: config.KAFKA_BROKERS, clientId: prefix }).admin();
    await admin.connect();
    await createTopicsReady(
      admin,
      Object.values(topicCatalogue).map((t) => ({
        topic: topics.name(t.key),
        numPartitions: t.partitions,
      })),
    );
    await admin.disconnect();
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
    app = moduleRef.createNestApplication({ logger: new JsonNestLogger() });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    await db.dataSource.query(
      `INSERT INTO organisations (id, name, kind) VALUES ($1, 'Woonstichting A', 'CORPORATION'), ($2, 'Woonstichting B', 'CORPORATION')`,
      [ORG_A, ORG_B],
    );
    workDir = await mkdtemp(join(tmpdir(), 'dossier-import-'));
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  async function upload(
    csv: string,
    mode: 'full' | 'delta',
    source = 'woonnet',
    token = adminToken,
    type = 'text/csv',
  ) {
    const res = await fetch(`${base}/dossier-imports?mode=${mode}&source=${source}`, {
      method: 'POST',
      headers: { 'content-type': type, authorization: `Bearer ${token}` },
      body: csv,
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }
  async function getText(path: string): Promise<{ status: number; type: string; text: string }> {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  }
  const registrations = () =>
    db.dataSource.query<RegistrationRow[]>(
      `SELECT id, surname, registration_date::text AS registration_date, email, phone, status, version, updated_at
       FROM registrations ORDER BY id`,
    );
  const concordance = () =>
    db.dataSource.query<
      {
        source_system: string;
        dossier_number: string;
        registration_id: string;
        deleted: boolean;
        updated_at: Date;
      }[]
    >(
      `SELECT source_system, dossier_number, registration_id, deleted_at IS NOT NULL AS deleted, updated_at
       FROM dossier_concordance ORDER BY source_system, dossier_number`,
    );
  /** Every event on the registrations topic so far (a fresh consumer group), once `enough` holds or after 30 s. */
  async function registrationEvents(
    enough: (events: { type: string; value: Record<string, unknown> }[]) => boolean,
  ): Promise<{ type: string; value: Record<string, unknown> }[]> {
    const kafka = createKafka({ brokers: ['127.0.0.1:9092'], clientId: `${prefix}events` });
    const serde = new AvroSerde({
      registryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
      autoRegister: false,
    });
    const events: { type: string; value: Record<string, unknown> }[] = [];
    const consumer = kafka.consumer({ groupId: `${prefix}events-${randomUUID()}`, maxWaitTimeInMs: 200 });
    await consumer.connect();
    try {
      await consumer.subscribe({
        topics: [new TopicNames(topicCatalogue, prefix).name('registrationRegistrations')],
        fromBeginning: true,
      });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const decoded = await serde.decode(
            message.value,
            new Map<string, typeof RegistrationCreatedEvent | typeof RegistrationDeregisteredEvent>([
              [RegistrationCreatedEvent.type, RegistrationCreatedEvent],
              [RegistrationDeregisteredEvent.type, RegistrationDeregisteredEvent],
            ]),
          );
          events.push({ type: decoded.type, value: decoded.value as Record<string, unknown> });
        },
      });
      const deadline = Date.now() + 30_000;
      while (!enough(events) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await consumer.disconnect();
    }
    return events;
  }
  const registrationOf = async (source: string, dossier: string) =>
    (await concordance()).find((c) => c.source_system === source && c.dossier_number === dossier)
      ?.registration_id;

  let fullLoadId: string;

  it('entities and migrations describe the same dossier import schema', async () => {
    const diff = await pendingSchemaChanges(db.dataSource);
    expect(diff.filter((sql) => /dossier_/.test(sql))).toEqual([]);
  });

  it('a full load creates one registration per person, merges duplicates keeping the earliest date and rejects bad rows', async () => {
    const res = await upload(csvOf(FULL), 'full');
    expect(res.status).toBe(201);
    fullLoadId = res.json.loadId as string;
    expect(res.json.counts).toEqual({
      rowsRead: 8,
      rowsRejected: 4,
      rejectsStored: 4,
      rowsUnchanged: 0,
      dossiersNew: 4,
      dossiersChanged: 0,
      dossiersDeleted: 0,
      deletionsOfUnknownDossiers: 0,
      registrationsCreated: 3,
      registrationsUpdated: 0,
      registrationsDeregistered: 0,
      dossiersRevived: 0,
      householdsUpdated: 0,
      duplicatesMerged: 1,
    });
    const regs = await registrations();
    expect(regs).toHaveLength(3);
    const jansen = regs.find((r) => r.surname.toLowerCase().startsWith('jans'));
    // D2 has the earliest date, so it leads: its spelling, and D1's e-mail fills the gap.
    expect(jansen).toMatchObject({
      registration_date: '2012-01-10',
      surname: 'JANSÉN',
      phone: '0612345678',
      email: 'jansen@example.nl',
      status: 'ACTIVE',
      version: 1,
    });
    expect(await registrationOf('woonnet', 'D1')).toBe(jansen?.id);
    expect(await registrationOf('woonnet', 'D2')).toBe(jansen?.id);
    const load = await getText(`/dossier-imports/${fullLoadId}`);
    expect(JSON.parse(load.text)).toMatchObject({
      status: 'COMPLETED',
      mode: 'full',
      sourceSystem: 'woonnet',
    });

    // Each created registration is announced like an API-created one (origin IMPORT), via the outbox.
    const kafka = createKafka({ brokers: ['127.0.0.1:9092'], clientId: `${prefix}observer` });
    const serde = new AvroSerde({
      registryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
      autoRegister: false,
    });
    const announced: Record<string, unknown>[] = [];
    const consumer = kafka.consumer({ groupId: `${prefix}observer`, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({
      topics: [new TopicNames(topicCatalogue, prefix).name('registrationRegistrations')],
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ message }) => {
        announced.push(
          (
            await serde.decode(
              message.value,
              new Map([[RegistrationCreatedEvent.type, RegistrationCreatedEvent]]),
            )
          ).value as Record<string, unknown>,
        );
      },
    });
    const deadline = Date.now() + 30_000;
    while (announced.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await consumer.disconnect();
    expect(
      announced
        .map(
          (e) =>
            `${String(e.registrationId)} ${String(e.registrationDate)} ${String(e.origin)} ${String(e.organisationId)}`,
        )
        .sort(),
    ).toEqual(regs.map((r) => `${r.id} ${r.registration_date} IMPORT ${ORG_A}`).sort());
  });

  it('serves the rejected rows as CSV with line numbers, reasons and the row', async () => {
    const res = await getText(`/dossier-imports/${fullLoadId}/rejects`);
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/csv');
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe(['line_number', 'reasons', ...DOSSIER_COLUMNS].join(','));
    const byLine = new Map(lines.slice(1).map((l) => [Number(l.split(',')[0]), l]));
    expect([...byLine.keys()]).toEqual([5, 6, 7, 8]);
    expect(byLine.get(5)).toContain('birth_date: required, a real date as YYYY-MM-DD; postcode: required');
    expect(byLine.get(5)).toContain(',D4,');
    expect(byLine.get(6)).toContain('organisation_id: unknown organisation');
    expect(byLine.get(7)).toContain('dossier_number: appears more than once in this file (first on line 4)');
    expect(byLine.get(8)).toContain('record has 4 fields, the header has 14');
  });

  it('exports the concordance: old dossier numbers to registration ids', async () => {
    const res = await getText('/dossier-imports/concordance?source=woonnet');
    const exports = await db.dataSource.query<
      { action: string; purpose: string; registration_id: string | null }[]
    >(
      `SELECT action, purpose, registration_id FROM access_log_entries WHERE action = 'DOSSIER_CONCORDANCE_EXPORTED'`,
    );
    expect(exports).toEqual([
      { action: 'DOSSIER_CONCORDANCE_EXPORTED', purpose: 'MIGRATION', registration_id: null },
    ]);
    const [head, ...rows] = res.text.trim().split('\n');
    expect(head).toBe(
      'source_system,dossier_number,registration_id,organisation_id,row_hash,first_load_id,last_load_id,deleted_at',
    );
    expect(rows.map((r) => r.split(',').slice(0, 2).join(','))).toEqual([
      'woonnet,D1',
      'woonnet,D2',
      'woonnet,D3',
      'woonnet,D7',
    ]);
    const ids = rows.map((r) => r.split(',')[2]);
    expect(ids[0]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(3);
    expect(rows.every((r) => r.split(',')[5] === fullLoadId)).toBe(true);
  });

  it('re-running the same file changes nothing', async () => {
    const regsBefore = await registrations();
    const concBefore = await concordance();
    const res = await upload(csvOf(FULL), 'full');
    expect(res.status).toBe(201);
    expect(res.json.counts).toMatchObject({
      rowsRead: 8,
      rowsRejected: 4,
      rejectsStored: 4,
      rowsUnchanged: 4,
      dossiersNew: 0,
      dossiersChanged: 0,
      dossiersDeleted: 0,
      registrationsCreated: 0,
      registrationsUpdated: 0,
    });
    expect(await registrations()).toEqual(regsBefore);
    expect(await concordance()).toEqual(concBefore);
  });

  it('a delta applies only new, changed and deleted dossiers', async () => {
    const before = await registrations();
    const bakkerBefore = before.find((r) => r.surname === 'Bakker');
    const jansenId = await registrationOf('woonnet', 'D1');
    const delta = csvOf(
      [
        person({
          dossier_number: 'D3',
          surname_prefix: 'de',
          surname: 'Vries',
          birth_date: '1975-11-30',
          house_number: '3',
          registration_date: '2018-06-01',
          email: 'devries@example.nl',
        }),
        person({ dossier_number: 'D6', surname: 'jansen', registration_date: '2010-05-05' }), // new dossier, same person
        { dossier_number: 'D2', deleted: 'ja' },
        { dossier_number: 'D-never-seen', deleted: '1' },
      ],
      DOSSIER_COLUMNS,
    );
    const res = await upload(delta, 'delta');
    expect(res.status).toBe(201);
    expect(res.json.counts).toEqual({
      rowsRead: 4,
      rowsRejected: 0,
      rejectsStored: 0,
      rowsUnchanged: 0,
      dossiersNew: 1,
      dossiersChanged: 1,
      dossiersDeleted: 1,
      deletionsOfUnknownDossiers: 1,
      registrationsCreated: 0,
      registrationsUpdated: 2,
      registrationsDeregistered: 0,
      dossiersRevived: 0,
      householdsUpdated: 0,
      duplicatesMerged: 1,
    });
    const after = await registrations();
    expect(after.find((r) => r.surname === 'Bakker')).toEqual(bakkerBefore);
    const jansen = after.find((r) => r.id === jansenId);
    // D6 is now the earliest and leads; D2 (deleted) no longer supplies the phone number.
    expect(jansen).toMatchObject({
      registration_date: '2010-05-05',
      surname: 'jansen',
      phone: null,
      version: 2,
    });
    expect(after.find((r) => r.surname === 'Vries')).toMatchObject({
      email: 'devries@example.nl',
      version: 2,
    });
    expect(await registrationOf('woonnet', 'D6')).toBe(jansenId);
    expect((await concordance()).find((c) => c.dossier_number === 'D2')?.deleted).toBe(true);
  });

  it('merges across source systems; a full load deregisters a person whose dossiers all disappeared', async () => {
    const jansenId = await registrationOf('woonnet', 'D1');
    const other = await upload(
      csvOf([
        person({ source_system: 'corpo', dossier_number: 'C-17', surname_prefix: 'van', surname: 'Berg' }),
        person({
          source_system: 'corpo',
          dossier_number: 'C-18',
          surname: 'Jansen',
          postcode: '1234 AB',
          registration_date: '2016-01-01',
        }),
      ]),
      'full',
      'corpo',
    );
    expect(other.status).toBe(201);
    expect(await registrationOf('corpo', 'C-18')).toBe(jansenId);

    // woonnet's next full snapshot no longer lists D7 (Bakker) or D3.
    const snapshot = csvOf([
      person({ dossier_number: 'D1', email: 'jansen@example.nl' }),
      person({ dossier_number: 'D6', surname: 'jansen', registration_date: '2010-05-05' }),
    ]);
    const res = await upload(snapshot, 'full');
    expect(res.json.counts).toMatchObject({
      dossiersDeleted: 2,
      registrationsDeregistered: 2,
      rowsUnchanged: 2,
    });
    const regs = await registrations();
    expect(regs.find((r) => r.surname === 'Bakker')?.status).toBe('DEREGISTERED');
    expect(regs.find((r) => r.id === jansenId)).toMatchObject({
      status: 'ACTIVE',
      registration_date: '2010-05-05',
    });

    // Ended like the API ends one (issue 16 item 13): RegistrationDeregistered through the outbox, carrying the
    // instant stored as deregistered_at, so identity-validation erases the hash and retention starts its clocks.
    const ended = await db.dataSource.query<{ id: string; organisation_id: string; at: string }[]>(
      `SELECT id, organisation_id, (extract(epoch FROM deregistered_at) * 1000)::bigint::text AS at
       FROM registrations WHERE status = 'DEREGISTERED' ORDER BY id`,
    );
    expect(ended).toHaveLength(2);
    const deregisteredEvents = (e: { type: string; value: Record<string, unknown> }[]) =>
      e.filter((x) => x.type === RegistrationDeregisteredEvent.type);
    const events = await registrationEvents((e) => deregisteredEvents(e).length >= 2);
    expect(
      deregisteredEvents(events)
        .map(
          (e) =>
            `${String(e.value.registrationId)} ${String(e.value.organisationId)} ${String(e.value.occurredAt)}`,
        )
        .sort(),
    ).toEqual(ended.map((r) => `${r.id} ${r.organisation_id} ${r.at}`));
  });

  it('a dossier back after its registration ended starts a new, announced registration; the ended one stays ended', async () => {
    const bakkerId = await registrationOf('woonnet', 'D7');
    const bakkerBefore = (await registrations()).find((r) => r.id === bakkerId);
    expect(bakkerBefore?.status).toBe('DEREGISTERED');
    const res = await upload(
      csvOf([
        person({
          dossier_number: 'D7',
          surname: 'Bakker',
          birth_date: '1990-07-07',
          house_number: '99',
          registration_date: '2020-02-02',
          email: 'bakker@example.nl',
        }),
      ]),
      'delta',
    );
    expect(res.status).toBe(201);
    expect(res.json.counts).toMatchObject({
      dossiersChanged: 1,
      dossiersRevived: 1,
      registrationsCreated: 1,
      registrationsUpdated: 0,
      registrationsDeregistered: 0,
      duplicatesMerged: 0,
    });
    // Before issue 16 the merge set the ended registration ACTIVE again, silently: no event, its hash gone and
    // its retention still running.
    const regs = await registrations();
    expect(regs.find((r) => r.id === bakkerId)).toEqual(bakkerBefore);
    const revivedId = await registrationOf('woonnet', 'D7');
    expect(revivedId).not.toBe(bakkerId);
    expect(regs.find((r) => r.id === revivedId)).toMatchObject({
      status: 'ACTIVE',
      surname: 'Bakker',
      email: 'bakker@example.nl',
      registration_date: '2020-02-02',
      version: 1,
    });
    const events = await registrationEvents((e) =>
      e.some((x) => x.type === RegistrationCreatedEvent.type && x.value.registrationId === revivedId),
    );
    expect(
      events.filter((x) => x.value.registrationId === revivedId).map((x) => [x.type, x.value.origin]),
    ).toEqual([[RegistrationCreatedEvent.type, 'IMPORT']]);

    // The concordance outlives an erased registration (issue 16 item 12: no foreign key any more). A dossier of an
    // erased registration that changes starts a new registration too; the erased id is never written again.
    const erasedId = bakkerId!;
    await db.dataSource.query(`DELETE FROM registrations WHERE id = $1`, [erasedId]);
    await db.dataSource.query(
      `UPDATE dossier_concordance SET registration_id = $1 WHERE source_system = 'woonnet' AND dossier_number = 'D3'`,
      [erasedId],
    );
    const again = await upload(
      csvOf([
        person({
          dossier_number: 'D3',
          surname_prefix: 'de',
          surname: 'Vries',
          birth_date: '1975-11-30',
          house_number: '3',
          registration_date: '2018-06-01',
          phone: '0687654321',
        }),
      ]),
      'delta',
    );
    expect(again.json.counts).toMatchObject({ dossiersRevived: 1, registrationsCreated: 1 });
    expect(await db.dataSource.query(`SELECT 1 FROM registrations WHERE id = $1`, [erasedId])).toEqual([]);
    const d3 = await registrationOf('woonnet', 'D3');
    expect(d3).not.toBe(erasedId);
    expect((await registrations()).find((r) => r.id === d3)).toMatchObject({
      status: 'ACTIVE',
      surname: 'Vries',
    });
  });

  it('a dry run (the protocol test loads) reports what a load would do and keeps its rejects, writing nothing else', async () => {
    const snapshot = async () => ({ registrations: await registrations(), concordance: await concordance() });
    const before = await snapshot();
    const file = csvOf([
      person({ source_system: 'test-run', dossier_number: 'T1', surname: 'Claes', house_number: '7' }),
      person({
        source_system: 'test-run',
        dossier_number: 'T2',
        surname: 'Claes',
        house_number: '7',
        registration_date: '2011-01-01',
      }),
      person({ source_system: 'test-run', dossier_number: 'T3', birth_date: 'not a date' }),
    ]);
    const upload = async (dryRun: string) => {
      const res = await fetch(`${base}/dossier-imports?mode=full&source=test-run&dryRun=${dryRun}`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', authorization: `Bearer ${adminToken}` },
        body: file,
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const dry = await upload('true');
    expect(dry.status).toBe(201);
    expect(dry.json).toMatchObject({ dryRun: true, mode: 'full' });
    expect(dry.json.counts).toMatchObject({
      rowsRead: 3,
      rowsRejected: 1,
      rejectsStored: 1,
      dossiersNew: 2,
      registrationsCreated: 1,
      duplicatesMerged: 1,
    });
    // Nothing written but the load and its rejects: no registration, no concordance row (events: below).
    expect(await snapshot()).toEqual(before);
    const dryId = dry.json.loadId as string;
    expect(JSON.parse((await getText(`/dossier-imports/${dryId}`)).text)).toMatchObject({
      status: 'DRY_RUN',
      counts: dry.json.counts,
    });
    expect((await getText(`/dossier-imports/${dryId}/rejects`)).text).toContain('birth_date: required');
    expect(
      await db.dataSource.query(
        `SELECT action FROM access_log_entries WHERE action LIKE 'DOSSIER_IMPORT%' ORDER BY id DESC LIMIT 1`,
      ),
    ).toEqual([{ action: 'DOSSIER_IMPORT_DRY_RUN' }]);
    // A dry-run full load is no full load: a delta of the source is still refused.
    expect(
      (
        await fetch(`${base}/dossier-imports?mode=delta&source=test-run`, {
          method: 'POST',
          headers: { 'content-type': 'text/csv', authorization: `Bearer ${adminToken}` },
          body: csvOf([]),
        }).then((r) => r.json() as Promise<Record<string, unknown>>)
      ).code,
    ).toBe('IMPORT_DELTA_WITHOUT_FULL_LOAD');

    // The same file for real does what the dry run said.
    const real = await upload('false');
    expect(real.json).toMatchObject({ dryRun: false, counts: dry.json.counts });
    const regs = await registrations();
    expect(regs.length).toBe(before.registrations.length + 1);
    const claes = regs.find((r) => r.surname === 'Claes');
    // The relay publishes in outbox order: had the dry run written an event, it would be on the topic before this
    // one. Only the real load's registration (the only one dated 2011-01-01) was announced.
    const events = await registrationEvents((e) => e.some((x) => x.value.registrationId === claes?.id));
    expect(
      events
        .filter((x) => x.type === RegistrationCreatedEvent.type && x.value.registrationDate === '2011-01-01')
        .map((x) => x.value.registrationId),
    ).toEqual([claes?.id]);
  });

  it('duplicates the key cannot see (moved, or with two organisations) are merged by hand: audited, role-guarded, two-tenant safe', async () => {
    const adminA = issuer.sign({ subject: 'admin-a', organisationId: ORG_A, roles: ['admin'] });
    const adminB = issuer.sign({ subject: 'admin-b', organisationId: ORG_B, roles: ['admin'] });
    const memberA = issuer.sign({ subject: 'member-a', organisationId: ORG_A, roles: ['member'] });
    const peeters = (over: Row): Row =>
      person({ source_system: 'moved', surname: 'Peeters', birth_date: '1985-05-05', ...over });
    const res = await upload(
      csvOf([
        peeters({
          dossier_number: 'MV1',
          postcode: '1111 AA',
          house_number: '1',
          registration_date: '2014-01-01',
        }),
        // Moved: another address, so the automatic key sees another person.
        peeters({
          dossier_number: 'MV2',
          postcode: '2222 BB',
          house_number: '2',
          registration_date: '2012-02-02',
        }),
        // Registered with a second organisation.
        peeters({
          dossier_number: 'MV3',
          postcode: '3333 CC',
          house_number: '3',
          registration_date: '2013-03-03',
          organisation_id: ORG_B,
        }),
      ]),
      'full',
      'moved',
    );
    expect(res.json.counts).toMatchObject({ registrationsCreated: 3 });
    const [r1, r2, r3] = [
      (await registrationOf('moved', 'MV1'))!,
      (await registrationOf('moved', 'MV2'))!,
      (await registrationOf('moved', 'MV3'))!,
    ];
    const merge = async (token: string, survivorRegistrationId: string, duplicateRegistrationId: string) => {
      const r = await fetch(`${base}/registration-merges`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ survivorRegistrationId, duplicateRegistrationId }),
      });
      return {
        status: r.status,
        type: r.headers.get('content-type') ?? '',
        json: (await r.json()) as Record<string, unknown>,
      };
    };
    const before = await registrations();

    // Organisation B's admin cannot touch A's registrations (answered like missing); A's admin not B's; a member
    // may not merge at all. Nothing changes.
    const foreign = await merge(adminB, r1, r2);
    expect(foreign.status).toBe(404);
    expect(foreign.type).toContain('application/problem+json');
    expect(foreign.json).toMatchObject({ code: 'MERGE_REGISTRATION_NOT_FOUND' });
    expect((await merge(adminA, r1, r3)).json).toMatchObject({ code: 'MERGE_REGISTRATION_NOT_FOUND' });
    expect((await merge(memberA, r1, r2)).status).toBe(403);
    expect((await merge(adminA, r1, r1)).json).toMatchObject({ code: 'MERGE_SAME_REGISTRATION' });
    expect(await registrations()).toEqual(before);

    // A's admin merges the moved dossier into MV1's registration.
    const done = await merge(adminA, r1, r2);
    expect(done.status).toBe(200);
    expect(done.json).toEqual({
      survivorRegistrationId: r1,
      duplicateRegistrationId: r2,
      dossiersMoved: 1,
      registrationDate: '2012-02-02',
    });
    expect(await registrationOf('moved', 'MV2')).toBe(r1);
    const after = await registrations();
    expect(after.find((r) => r.id === r1)).toMatchObject({
      status: 'ACTIVE',
      registration_date: '2012-02-02',
    });
    expect(after.find((r) => r.id === r2)?.status).toBe('DEREGISTERED');
    expect((await merge(adminA, r1, r2)).json).toMatchObject({ code: 'MERGE_REGISTRATION_DEREGISTERED' });

    // Two organisations: the platform operator merges B's registration into A's.
    const across = await merge(adminToken, r1, r3);
    expect(across.json).toMatchObject({ dossiersMoved: 1, registrationDate: '2012-02-02' });

    const logged = await db.dataSource.query<
      { subject: string; registration_id: string; organisation_id: string; changed_fields: string[] }[]
    >(
      `SELECT subject, registration_id, organisation_id, changed_fields FROM access_log_entries
       WHERE action = 'REGISTRATIONS_MERGED' ORDER BY id`,
    );
    expect(logged.map((e) => [e.subject, e.registration_id, e.organisation_id])).toEqual([
      ['admin-a', r1, ORG_A],
      ['admin-a', r2, ORG_A],
      ['operator-1', r1, ORG_A],
      ['operator-1', r3, ORG_B],
    ]);
    // The duplicates ended like an API deregistration: RegistrationDeregistered through the outbox.
    const events = await registrationEvents(
      (e) =>
        e.filter(
          (x) =>
            x.type === RegistrationDeregisteredEvent.type &&
            [r2, r3].includes(String(x.value.registrationId)),
        ).length >= 2,
    );
    expect(
      events
        .filter(
          (x) =>
            x.type === RegistrationDeregisteredEvent.type &&
            [r2, r3].includes(String(x.value.registrationId)),
        )
        .map((x) => [x.value.registrationId, x.value.organisationId])
        .sort(),
    ).toEqual(
      [
        [r2, ORG_A],
        [r3, ORG_B],
      ].sort(),
    );

    // The next load sends the moved dossier again, changed: it updates the survivor, not the merged-away one.
    const delta = await upload(
      csvOf([
        peeters({
          dossier_number: 'MV2',
          postcode: '2222 BB',
          house_number: '2',
          registration_date: '2012-02-02',
          email: 'peeters@example.be',
        }),
      ]),
      'delta',
      'moved',
    );
    expect(delta.json.counts).toMatchObject({
      dossiersChanged: 1,
      registrationsCreated: 0,
      dossiersRevived: 0,
    });
    expect(await registrationOf('moved', 'MV2')).toBe(r1);
  });

  it("household members are imported: the leading dossier's household, replaced only when it changes, rejected with a reason when malformed", async () => {
    const family = (over: Row): Row =>
      person({
        source_system: 'gezin',
        surname: 'Wouters',
        birth_date: '1979-09-09',
        postcode: '4444 DD',
        house_number: '4',
        ...over,
      });
    const household = () =>
      db.dataSource.query<
        { id: string; relation: string; surname_prefix: string | null; surname: string; birth_date: string }[]
      >(
        `SELECT h.id, h.relation, h.surname_prefix, h.surname, h.birth_date::text AS birth_date
         FROM household_members h JOIN dossier_concordance c ON c.registration_id = h.registration_id
         WHERE c.source_system = 'gezin' AND c.dossier_number = 'G1' ORDER BY h.relation, h.surname`,
      );
    const file = csvOf([
      family({
        dossier_number: 'G1',
        registration_date: '2016-06-06',
        household: 'PARTNER|de|Smet|1981-01-01;CHILD||Wouters|2015-05-05',
      }),
      // A later dossier of the same person lists another household: the leading (earliest) dossier's counts.
      family({
        dossier_number: 'G2',
        registration_date: '2019-01-01',
        household: 'OTHER_ADULT||Peeters|1950-01-01',
      }),
      family({ dossier_number: 'G3', surname: 'Anders', household: 'PARTNER||Smet' }),
    ]);
    const first = await upload(file, 'full', 'gezin');
    expect(first.json.counts).toMatchObject({
      registrationsCreated: 1,
      rowsRejected: 1,
      householdsUpdated: 1,
    });
    const members = await household();
    expect(members.map(({ id: _id, ...m }) => m)).toEqual([
      { relation: 'CHILD', surname_prefix: null, surname: 'Wouters', birth_date: '2015-05-05' },
      { relation: 'PARTNER', surname_prefix: 'de', surname: 'Smet', birth_date: '1981-01-01' },
    ]);
    expect((await getText(`/dossier-imports/${String(first.json.loadId)}/rejects`)).text).toContain(
      'household: member 1: must be RELATION|surname prefix|surname|birth date',
    );

    // The same file again: nothing changes, the members keep their ids.
    const again = await upload(file, 'full', 'gezin');
    expect(again.json.counts).toMatchObject({ rowsUnchanged: 2, householdsUpdated: 0 });
    expect(await household()).toEqual(members);

    // A delta where the leading dossier's household changed (a child born): replaced.
    const delta = await upload(
      csvOf([
        family({
          dossier_number: 'G1',
          registration_date: '2016-06-06',
          household: 'PARTNER|de|Smet|1981-01-01;CHILD||Wouters|2015-05-05;CHILD||Wouters|2025-02-02',
        }),
      ]),
      'delta',
      'gezin',
    );
    expect(delta.json.counts).toMatchObject({ dossiersChanged: 1, householdsUpdated: 1 });
    expect((await household()).map((m) => `${m.relation} ${m.birth_date}`)).toEqual([
      'CHILD 2015-05-05',
      'CHILD 2025-02-02',
      'PARTNER 1981-01-01',
    ]);
    // A dossier without household information leaves the household as it is.
    const silent = await upload(
      csvOf([family({ dossier_number: 'G1', registration_date: '2016-06-06', email: 'w@example.be' })]),
      'delta',
      'gezin',
    );
    expect(silent.json.counts).toMatchObject({ dossiersChanged: 1, householdsUpdated: 0 });
    expect(await household()).toHaveLength(3);
  });

  it('the set-based merge agrees with the documented merge rule', async () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const rows: Row[] = [];
    const persons = new Set<number>();
    for (let i = 0; i < 60; i++) {
      const p = rnd(8);
      persons.add(p);
      const split = rnd(2) === 0;
      rows.push({
        source_system: 'prop',
        dossier_number: `P${i}`,
        surname_prefix: split ? 'van' : '',
        surname: split ? `Dijk${p}` : `VAN DIJK${p}`,
        birth_date: `19${60 + p}-01-0${1 + (p % 9)}`,
        gender_marker: ['', 'M', 'V', 'X'][rnd(4)] ?? '',
        postcode: '9999 ZZ',
        house_number: String(p + 1),
        house_number_addition: rnd(3) === 0 ? `A${i}` : '',
        email: rnd(2) === 0 ? `p${i}@example.nl` : '',
        phone: rnd(3) === 0 ? `06${String(10000000 + i)}` : '',
        registration_date: `20${10 + rnd(5)}-0${1 + rnd(9)}-1${rnd(9)}`,
        organisation_id: ORG_B,
      });
    }
    const res = await upload(csvOf(rows), 'full', 'prop');
    expect(res.json.counts).toMatchObject({
      rowsRejected: 0,
      rejectsStored: 0,
      dossiersNew: 60,
      registrationsCreated: persons.size,
    });
    const stored = await db.dataSource.query<(MergeableDossier & { registrationId: string })[]>(
      `SELECT source_system AS "sourceSystem", dossier_number AS "dossierNumber", registration_id AS "registrationId",
              organisation_id AS "organisationId", surname_prefix AS "surnamePrefix", surname, birth_date::text AS "birthDate",
              gender_marker AS "genderMarker", postcode, house_number AS "houseNumber",
              house_number_addition AS "houseNumberAddition", email, phone, registration_date::text AS "registrationDate"
       FROM dossier_concordance WHERE source_system = 'prop'`,
    );
    const byRegistration = new Map<string, MergeableDossier[]>();
    for (const d of stored)
      byRegistration.set(d.registrationId, [...(byRegistration.get(d.registrationId) ?? []), d]);
    expect(byRegistration.size).toBe(persons.size);
    for (const [id, dossiers] of byRegistration) {
      const [actual] = await db.dataSource.query<Record<string, unknown>[]>(
        `SELECT organisation_id AS "organisationId", surname_prefix AS "surnamePrefix", surname, birth_date::text AS "birthDate",
                gender_marker AS "genderMarker", postcode, house_number AS "houseNumber",
                house_number_addition AS "houseNumberAddition", email, phone, registration_date::text AS "registrationDate"
         FROM registrations WHERE id = $1`,
        [id],
      );
      expect(actual).toEqual(mergeDossiers(dossiers));
    }
  });

  it('refuses a bad header, a delta before any full load, a wrong content type and non-admins, writing nothing', async () => {
    const before = await db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM dossier_concordance`,
    );
    const header = await upload('dossier_number,surname,bsn\nX,Y,123', 'full', 'fresh');
    expect(header.status).toBe(422);
    expect(header.json).toMatchObject({ code: 'IMPORT_HEADER_INVALID' });
    expect(JSON.stringify(header.json)).not.toContain('123');
    const failed = await db.dataSource.query<{ status: string; failure_code: string }[]>(
      `SELECT status, failure_code FROM dossier_import_loads WHERE source_system = 'fresh'`,
    );
    expect(failed).toEqual([{ status: 'FAILED', failure_code: 'IMPORT_HEADER_INVALID' }]);
    expect((await upload(csvOf([]), 'delta', 'fresh')).json).toMatchObject({
      code: 'IMPORT_DELTA_WITHOUT_FULL_LOAD',
    });
    expect((await upload(csvOf([]), 'full', 'fresh', adminToken, 'application/octet-stream')).status).toBe(
      415,
    );
    expect((await upload(csvOf([]), 'full', 'fresh', memberToken)).status).toBe(403);
    expect((await upload(csvOf([]), 'full', 'bad source!')).status).toBe(400);
    expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM dossier_concordance`)).toEqual(before);
  });

  it('fails the whole load on an unclosed quote instead of swallowing the rest of the file', async () => {
    const service = app.get(DossierImportService);
    const text =
      csvOf([person({ dossier_number: 'Q1' })]) + '\nwoonnet,"Q2,never closed\n' + 'x,'.repeat(40_000);
    await expect(
      service.import(Readable.from([text]), { mode: 'full', source: 'quotes' }),
    ).rejects.toMatchObject({
      code: 'IMPORT_FILE_UNREADABLE',
    });
    expect(await registrationOf('quotes', 'Q1')).toBeUndefined();
  });

  it('the CLI imports a file, writes the rejects file and exports the concordance (exit codes 5 and 0), access-logged', async () => {
    const cliEntriesBefore = await db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM access_log_entries WHERE subject LIKE 'cli:%'`,
    );
    expect(cliEntriesBefore).toEqual([{ n: 0 }]);
    const file = join(workDir, 'cli.csv');
    const rejects = join(workDir, 'cli.rejects.csv');
    const out = join(workDir, 'concordance.csv');
    await writeFile(
      file,
      csvOf([
        person({ source_system: 'cli', dossier_number: 'K1', organisation_id: ORG_B }),
        // The rejected row's prefix is a spreadsheet formula: the rejects file must carry it as text.
        person({ source_system: 'cli', dossier_number: 'K2', surname: '', surname_prefix: '=1+2' }),
      ]),
    );
    const cli = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
        const child = spawn(
          process.execPath,
          [
            '-r',
            'ts-node/register/transpile-only',
            '-r',
            'tsconfig-paths/register',
            'services/registration/src/dossier-import/cli.ts',
            ...args,
          ],
          {
            cwd: repoRoot,
            env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.json', DB_NAME: db.name, DB_USER: 'postgres' },
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('close', (code) => done({ code, stdout, stderr }));
      });
    // A test load first (issue 16 item 14): the same counts, nothing imported.
    const dry = await cli([
      'import',
      '--file',
      file,
      '--mode',
      'full',
      '--source',
      'cli',
      '--dry-run',
      '--operator',
      'ops.jan',
    ]);
    expect(dry.code).toBe(5);
    const drySummary = JSON.parse(dry.stdout) as {
      loadId: string;
      dryRun: boolean;
      counts: { rowsRead: number };
    };
    expect(drySummary).toMatchObject({ dryRun: true, counts: { rowsRead: 2 } });
    expect(await registrationOf('cli', 'K1')).toBeUndefined();

    const run = await cli([
      'import',
      '--file',
      file,
      '--mode',
      'full',
      '--source',
      'cli',
      '--rejects',
      rejects,
      '--operator',
      'ops.jan',
    ]);
    expect(run.code).toBe(5);
    const summary = JSON.parse(run.stdout) as {
      counts: { rowsRead: number; rowsRejected: number };
      peakRssMiB: number;
    };
    expect(summary.counts).toMatchObject({ rowsRead: 2, rowsRejected: 1 });
    expect(summary.peakRssMiB).toBeGreaterThan(0);
    // stderr is a pipe here, not a terminal: the progress bar stays quiet (createProgressBar, cli-progress).
    expect(run.stderr).not.toContain('rows/s');
    expect(run.stderr).not.toContain('reading');
    expect(run.stderr).not.toContain('K2');
    const rejectLines = (await readFile(rejects, 'utf8')).trim().split('\n');
    expect(rejectLines).toHaveLength(2);
    expect(rejectLines[1]).toContain(",K2,'=1+2,");
    expect(rejectLines[1]).toMatch(/^3,surname: required,cli,K2,/);

    const exported = await cli([
      'export-concordance',
      '--out',
      out,
      '--source',
      'cli',
      '--operator',
      'ops.jan',
    ]);
    expect(exported.code).toBe(0);
    const loadId = (JSON.parse(run.stdout) as { loadId: string }).loadId;
    const again = await cli(['export-rejects', '--load', loadId, '--out', join(workDir, 'again.csv')]);
    expect(again.code).toBe(0);
    expect(
      (await readFile(out, 'utf8'))
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[1]),
    ).toEqual(['K1']);

    expect((await cli(['import', '--file', file, '--mode', 'sideways', '--source', 'cli'])).code).toBe(2);
    expect((await cli(['export-concordance', '--out', out, '--operator', 'jan\u0007ops'])).code).toBe(2);

    // Issue 16 item 15: every command-line import and export is access-logged like the HTTP routes (same actions,
    // purpose MIGRATION), as the platform operator named `cli:<operator>`; the refused runs logged nothing.
    const entries = await db.dataSource.query<
      {
        subject: string;
        roles: string[];
        action: string;
        resource_type: string;
        resource_id: string | null;
        purpose: string;
        user_agent: string;
      }[]
    >(
      `SELECT subject, roles, action, resource_type, resource_id, purpose, user_agent FROM access_log_entries
       WHERE subject LIKE 'cli:%' ORDER BY occurred_at, id`,
    );
    const osUser = (await import('node:os')).userInfo().username;
    expect(entries.map((e) => [e.subject, e.action, e.resource_type, e.resource_id])).toEqual([
      ['cli:ops.jan', 'DOSSIER_IMPORT_DRY_RUN', 'dossier-import', 'cli'],
      ['cli:ops.jan', 'DOSSIER_REJECTS_EXPORTED', 'dossier-import-load', drySummary.loadId],
      ['cli:ops.jan', 'DOSSIER_IMPORT', 'dossier-import', 'cli'],
      ['cli:ops.jan', 'DOSSIER_REJECTS_EXPORTED', 'dossier-import-load', loadId],
      ['cli:ops.jan', 'DOSSIER_CONCORDANCE_EXPORTED', 'dossier-concordance', 'cli'],
      [`cli:${osUser}`, 'DOSSIER_REJECTS_EXPORTED', 'dossier-import-load', loadId],
    ]);
    for (const e of entries) {
      expect(e).toMatchObject({ roles: ['platform-operator'], purpose: 'MIGRATION' });
      expect(e.user_agent).toMatch(/^divit-dossier-import-cli \(/);
    }
  });
});
