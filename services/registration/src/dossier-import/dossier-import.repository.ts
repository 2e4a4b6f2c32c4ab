import { Injectable } from '@nestjs/common';
import { Client, ClientConfig } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { Readable, Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { DOSSIER_COLUMNS } from './dossier-csv';
import { DossierImportLoadEntity, ImportMode, LoadCounts, LoadStatus } from './dossier-import.entity';
import { STAGING_COLUMNS } from './staging-format';

/** What the announcement hook may run inside the merge transaction. */
export interface SqlExecutor {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export type MergeStep =
  | 'duplicate dossier numbers'
  | 'organisation changes'
  | 'rejected rows'
  | 'classify rows'
  | 'match persons'
  | 'concordance'
  | 'registrations'
  | 'announce';

export interface MergeInput {
  loadId: string;
  source: string;
  mode: ImportMode;
  /**
   * Run everything, then roll back to just after the rejected rows were stored: the load ends DRY_RUN with its
   * counts and rejects; registrations, concordance and events are not written.
   */
  dryRun: boolean;
  /** Rows in the staging table (accepted and rejected), i.e. rows read. */
  rowsRead: number;
  /** Rejected rows stored with their detail (the first by line); the rest are only counted. */
  maxStoredRejects: number;
  onStep?: (step: MergeStep, index: number, total: number) => void;
  /** Runs inside the transaction; `createdRelation` names a table of the registration ids created. */
  announceCreated(tx: SqlExecutor, createdRelation: string, loadId: string): Promise<void>;
  /** Runs inside the transaction; `relation` names a table of the registration ids this load ended. */
  announceDeregistered(tx: SqlExecutor, relation: string, occurredAt: number): Promise<void>;
}

export interface LoadSummary {
  id: string;
  sourceSystem: string;
  mode: ImportMode;
  status: LoadStatus;
  startedAt: Date;
  finishedAt: Date | null;
  counts: LoadCounts | null;
  failureCode: string | null;
}

/** The staging transaction of one load, on its own connection (outside the TypeORM pool). */
export interface ImportSession {
  /** False when another load holds the import lock. */
  readonly locked: boolean;
  hasCompletedFullLoad(source: string): Promise<boolean>;
  organisationIds(): Promise<Set<string>>;
  /** Creates the staging table and returns the COPY stream into it. */
  openStaging(): Promise<Writable>;
  merge(input: MergeInput): Promise<LoadCounts>;
  /** Rolls back (if still open) and closes the connection. */
  close(): Promise<void>;
}

const LOCK_KEY = "hashtext('divit.registration.dossier-import')";
const STAGING = 'dossier_import_staging';
const MERGE_STEPS = 8;

// Fields of an accepted staging row as a record for the rejects table (when SQL rejects it).
const recordFromStaging = (sourceParam: string) => `jsonb_strip_nulls(jsonb_build_object(
  'source_system', ${sourceParam}::text, 'dossier_number', s.dossier_number, 'surname_prefix', s.surname_prefix,
  'surname', s.surname, 'birth_date', s.birth_date::text, 'gender_marker', s.gender_marker,
  'postcode', s.postcode, 'house_number', s.house_number::text, 'house_number_addition', s.house_number_addition,
  'email', s.email, 'phone', s.phone, 'registration_date', s.registration_date::text,
  'organisation_id', s.organisation_id::text, 'household', s.household::text,
  'deleted', CASE WHEN s.deleted THEN 'true' END))`;

const DATA_COLUMNS = [
  'organisation_id',
  'person_key',
  'row_hash',
  'surname_prefix',
  'surname',
  'birth_date',
  'gender_marker',
  'postcode',
  'house_number',
  'house_number_addition',
  'email',
  'phone',
  'registration_date',
  'household',
];

// Identifying fields for the BSN check: once the check has run they are erased and must stay so.
const keptAfterIdentityCheck = (column: string) =>
  `CASE WHEN r.identity_status IN ('VALIDATED', 'FAILED') THEN r.${column} ELSE EXCLUDED.${column} END`;

/** The merge rule of duplicate-rule.ts, set-based, for the registrations a load touched. */
const RECOMPUTE_REGISTRATIONS = `
WITH live AS (
  SELECT c.*, row_number() OVER (
           PARTITION BY c.registration_id
           ORDER BY c.registration_date, c.source_system COLLATE "C", c.dossier_number COLLATE "C") AS rk
  FROM dossier_concordance c JOIN dossier_import_affected a ON a.id = c.registration_id
  WHERE c.deleted_at IS NULL
), merged AS (
  SELECT registration_id AS id,
    (array_agg(organisation_id ORDER BY rk))[1] AS organisation_id,
    (array_agg(surname_prefix ORDER BY rk))[1] AS surname_prefix,
    (array_agg(surname ORDER BY rk))[1] AS surname,
    (array_agg(birth_date ORDER BY rk))[1] AS birth_date,
    (array_agg(gender_marker ORDER BY rk) FILTER (WHERE gender_marker IS NOT NULL))[1] AS gender_marker,
    (array_agg(postcode ORDER BY rk))[1] AS postcode,
    (array_agg(house_number ORDER BY rk))[1] AS house_number,
    (array_agg(house_number_addition ORDER BY rk) FILTER (WHERE house_number_addition IS NOT NULL))[1]
      AS house_number_addition,
    (array_agg(email ORDER BY rk) FILTER (WHERE email IS NOT NULL))[1] AS email,
    (array_agg(phone ORDER BY rk) FILTER (WHERE phone IS NOT NULL))[1] AS phone,
    min(registration_date) AS registration_date
  FROM live GROUP BY registration_id
), upserted AS (
  INSERT INTO registrations AS r (id, organisation_id, surname_prefix, surname, birth_date, gender_marker, postcode,
    house_number, house_number_addition, email, phone, registration_date, status, identity_status, version,
    created_at, updated_at)
  SELECT id, organisation_id, surname_prefix, surname, birth_date, gender_marker, postcode, house_number,
    house_number_addition, email, phone, registration_date, 'ACTIVE', 'NOT_STARTED', 1, now(), now()
  FROM merged
  ON CONFLICT (id) DO UPDATE SET
    surname_prefix = EXCLUDED.surname_prefix,
    surname = EXCLUDED.surname,
    birth_date = EXCLUDED.birth_date,
    gender_marker = ${keptAfterIdentityCheck('gender_marker')},
    postcode = ${keptAfterIdentityCheck('postcode')},
    house_number = ${keptAfterIdentityCheck('house_number')},
    house_number_addition = EXCLUDED.house_number_addition,
    email = EXCLUDED.email,
    phone = EXCLUDED.phone,
    registration_date = LEAST(r.registration_date, EXCLUDED.registration_date),
    version = r.version + 1,
    updated_at = now()
  -- An ended registration stays ended (its end was announced: hash erased, retention running); a dossier that
  -- comes back starts a new registration instead (classify rows / match persons).
  WHERE r.status = 'ACTIVE'
    AND (r.surname_prefix, r.surname, r.birth_date, r.gender_marker, r.postcode, r.house_number,
         r.house_number_addition, r.email, r.phone, r.registration_date)
    IS DISTINCT FROM
        (EXCLUDED.surname_prefix, EXCLUDED.surname, EXCLUDED.birth_date, ${keptAfterIdentityCheck('gender_marker')},
         ${keptAfterIdentityCheck('postcode')}, ${keptAfterIdentityCheck('house_number')},
         EXCLUDED.house_number_addition, EXCLUDED.email, EXCLUDED.phone,
         LEAST(r.registration_date, EXCLUDED.registration_date))
  RETURNING r.id, (r.xmax = 0) AS inserted
), created AS (
  INSERT INTO dossier_import_created (id) SELECT id FROM upserted WHERE inserted
)
SELECT count(*) FILTER (WHERE inserted)::int AS created, count(*) FILTER (WHERE NOT inserted)::int AS updated
FROM upserted`;

class PgImportSession implements ImportSession {
  private open = true;

  constructor(
    private readonly client: Client,
    readonly locked: boolean,
  ) {}

  async hasCompletedFullLoad(source: string): Promise<boolean> {
    const res = await this.client.query(
      `SELECT 1 FROM dossier_import_loads WHERE source_system = $1 AND mode = 'full' AND status = 'COMPLETED' LIMIT 1`,
      [source],
    );
    return (res.rowCount ?? 0) > 0;
  }

  async organisationIds(): Promise<Set<string>> {
    const res = await this.client.query<{ id: string }>(`SELECT id::text AS id FROM organisations`);
    return new Set(res.rows.map((r) => r.id));
  }

  async openStaging(): Promise<Writable> {
    const columns = STAGING_COLUMNS.map(([name, type]) => `"${name}" ${type}`).join(', ');
    await this.client.query(`CREATE TEMP TABLE ${STAGING} (${columns}) ON COMMIT DROP`);
    return this.client.query(copyFrom(`COPY ${STAGING} FROM STDIN`));
  }

  async merge(input: MergeInput): Promise<LoadCounts> {
    const { loadId, source } = input;
    const p = [loadId, source];
    let step = 0;
    const at = (name: MergeStep) => input.onStep?.(name, ++step, MERGE_STEPS);
    const q = async (sql: string, params: unknown[] = p) => this.client.query(sql, params);
    const count = async (sql: string, params: unknown[] = p) =>
      Number((await this.client.query<{ n: number }>(sql, params)).rows[0]?.n ?? 0);

    // Fresh tables have no statistics: without them the planner may pick nested loops over a million rows.
    await q(`CREATE INDEX ON ${STAGING} (dossier_number)`, []);
    await q(`ANALYZE ${STAGING}`, []);
    at('duplicate dossier numbers');
    await q(
      `UPDATE ${STAGING} s SET rejected = true,
         reasons = 'dossier_number: appears more than once in this file (first on line ' || d.first_line || ')',
         record = ${recordFromStaging('$1')}
       FROM (SELECT dossier_number, min(line_number) AS first_line FROM ${STAGING}
             WHERE dossier_number IS NOT NULL GROUP BY dossier_number HAVING count(*) > 1) d
       WHERE s.dossier_number = d.dossier_number AND s.line_number <> d.first_line AND NOT s.rejected`,
      [source],
    );
    at('organisation changes');
    await q(
      `UPDATE ${STAGING} s SET rejected = true,
         reasons = 'organisation_id: differs from the organisation of this dossier in an earlier load',
         record = ${recordFromStaging('$1')}
       FROM dossier_concordance c
       WHERE c.source_system = $1 AND c.dossier_number = s.dossier_number AND NOT s.rejected AND NOT s.deleted
         AND c.organisation_id <> s.organisation_id`,
      [source],
    );
    at('rejected rows');
    const rowsRejected = await count(`SELECT count(*)::int AS n FROM ${STAGING} WHERE rejected`, []);
    // A file of invalid rows must not grow the rejects table without bound: the first rows keep their detail.
    const rejectsStored =
      (
        await q(
          `INSERT INTO dossier_import_rejects (load_id, line_number, reasons, record)
           SELECT $1, line_number, reasons, record FROM ${STAGING} WHERE rejected
            ORDER BY line_number LIMIT $2`,
          [loadId, input.maxStoredRejects],
        )
      ).rowCount ?? 0;

    // Everything after this point is what a dry run undoes (temporary tables included).
    if (input.dryRun) await q('SAVEPOINT dossier_import_dry_run', []);

    at('classify rows');
    await q(
      // revived: a live row for a dossier whose registration has ended (deregistered by an earlier load or through
      // the API, or already erased: the concordance outlives it, ADR 0031). It is not brought back to life: like a
      // re-registration it gets a registration of its own.
      `CREATE TEMP TABLE dossier_import_changes ON COMMIT DROP AS
       SELECT s.*, c.registration_id, (c.dossier_number IS NULL) AS is_new, (c.deleted_at IS NOT NULL) AS was_deleted,
              (c.dossier_number IS NOT NULL AND NOT s.deleted AND (r.id IS NULL OR r.status = 'DEREGISTERED')) AS revived
       FROM ${STAGING} s
       LEFT JOIN dossier_concordance c ON c.source_system = $1 AND c.dossier_number = s.dossier_number
       LEFT JOIN registrations r ON r.id = c.registration_id
       WHERE NOT s.rejected
         AND (c.dossier_number IS NULL OR c.row_hash <> s.row_hash OR (c.deleted_at IS NOT NULL) <> s.deleted)`,
      [source],
    );
    await q(`ANALYZE dossier_import_changes`, []);
    const classes = (
      await q(
        `SELECT count(*) FILTER (WHERE is_new AND NOT deleted)::int AS new,
                count(*) FILTER (WHERE is_new AND deleted)::int AS unknown_deletions,
                count(*) FILTER (WHERE NOT is_new AND deleted AND NOT was_deleted)::int AS deleted,
                count(*) FILTER (WHERE NOT is_new AND NOT (deleted AND NOT was_deleted))::int AS changed,
                count(*) FILTER (WHERE revived)::int AS revived,
                count(*)::int AS total
         FROM dossier_import_changes`,
        [],
      )
    ).rows[0] as {
      new: number;
      unknown_deletions: number;
      deleted: number;
      changed: number;
      revived: number;
      total: number;
    };

    at('match persons');
    await q(
      `CREATE TEMP TABLE dossier_import_new_persons ON COMMIT DROP AS
       SELECT n.person_key, COALESCE(m.registration_id, gen_random_uuid()) AS registration_id
       FROM (SELECT DISTINCT person_key FROM dossier_import_changes WHERE (is_new OR revived) AND NOT deleted) n
       LEFT JOIN LATERAL (
         SELECT c.registration_id FROM dossier_concordance c JOIN registrations r ON r.id = c.registration_id
         WHERE c.person_key = n.person_key AND c.deleted_at IS NULL AND r.status = 'ACTIVE'
         ORDER BY r.registration_date, r.id LIMIT 1) m ON true`,
      [],
    );
    await q(
      `UPDATE dossier_import_changes ch SET registration_id = np.registration_id
       FROM dossier_import_new_persons np
       WHERE (ch.is_new OR ch.revived) AND NOT ch.deleted AND ch.person_key = np.person_key`,
      [],
    );

    at('concordance');
    const cols = DATA_COLUMNS.join(', ');
    await q(
      `INSERT INTO dossier_concordance AS c (source_system, dossier_number, registration_id, ${cols},
         deleted_at, first_load_id, last_load_id, created_at, updated_at)
       SELECT $2, dossier_number, registration_id, ${cols}, NULL, $1, $1, now(), now()
       FROM dossier_import_changes WHERE NOT deleted
       ON CONFLICT (source_system, dossier_number) DO UPDATE SET registration_id = EXCLUDED.registration_id,
         ${DATA_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')},
         deleted_at = NULL, last_load_id = EXCLUDED.last_load_id, updated_at = now()`,
    );
    await q(
      `UPDATE dossier_concordance c SET row_hash = ch.row_hash, deleted_at = COALESCE(c.deleted_at, now()),
         last_load_id = $1, updated_at = now()
       FROM dossier_import_changes ch
       WHERE ch.deleted AND NOT ch.is_new AND c.source_system = $2 AND c.dossier_number = ch.dossier_number`,
    );
    await q(`ANALYZE dossier_concordance`, []);
    await q(`CREATE TEMP TABLE dossier_import_affected (id uuid PRIMARY KEY) ON COMMIT DROP`, []);
    await q(
      `INSERT INTO dossier_import_affected (id)
       SELECT DISTINCT registration_id FROM dossier_import_changes WHERE registration_id IS NOT NULL`,
      [],
    );
    let absent = 0;
    if (input.mode === 'full') {
      // A full load is the source's complete list: a live dossier missing from it was removed there.
      absent = await count(
        `WITH gone AS (
           UPDATE dossier_concordance c SET deleted_at = now(), last_load_id = $1, updated_at = now()
           WHERE c.source_system = $2 AND c.deleted_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM ${STAGING} s WHERE s.dossier_number = c.dossier_number)
           RETURNING c.registration_id
         ), added AS (
           INSERT INTO dossier_import_affected (id) SELECT DISTINCT registration_id FROM gone ON CONFLICT DO NOTHING
         )
         SELECT count(*)::int AS n FROM gone`,
      );
    }

    await q(`ANALYZE dossier_import_affected`, []);
    at('registrations');
    await q(`CREATE TEMP TABLE dossier_import_created (id uuid PRIMARY KEY) ON COMMIT DROP`, []);
    const regs = (await q(RECOMPUTE_REGISTRATIONS, [])).rows[0] as { created: number; updated: number };
    // Ended like the API ends one: deregistered_at is the instant RegistrationDeregistered carries.
    const endedAt = Date.now();
    await q(`CREATE TEMP TABLE dossier_import_deregistered (id uuid PRIMARY KEY) ON COMMIT DROP`, []);
    const deregistered = await count(
      `WITH ended AS (
         UPDATE registrations r SET status = 'DEREGISTERED', deregistered_at = $1, version = r.version + 1,
           updated_at = now()
         FROM dossier_import_affected a
         WHERE r.id = a.id AND r.status = 'ACTIVE'
           AND NOT EXISTS (SELECT 1 FROM dossier_concordance c WHERE c.registration_id = r.id AND c.deleted_at IS NULL)
         RETURNING r.id
       ), kept AS (INSERT INTO dossier_import_deregistered (id) SELECT id FROM ended)
       SELECT count(*)::int AS n FROM ended`,
      [new Date(endedAt)],
    );

    // Household members (issue 16 item 14): an active registration touched by this load gets the household of its
    // leading live dossier, when that dossier lists one (null: the file said nothing, the household stays), and only
    // when it differs as a set from the stored one (an unchanged household keeps its member ids).
    const householdsUpdated = await count(
      `WITH lead AS (
         SELECT DISTINCT ON (c.registration_id) c.registration_id AS id, c.household
         FROM dossier_concordance c JOIN dossier_import_affected a ON a.id = c.registration_id
         WHERE c.deleted_at IS NULL
         ORDER BY c.registration_id, c.registration_date, c.source_system COLLATE "C", c.dossier_number COLLATE "C"
       ), target AS (
         SELECT l.id, l.household FROM lead l JOIN registrations r ON r.id = l.id AND r.status = 'ACTIVE'
         WHERE l.household IS NOT NULL
           AND (SELECT coalesce(jsonb_agg(m ORDER BY m::text), '[]') FROM jsonb_array_elements(l.household) m)
             IS DISTINCT FROM
               (SELECT coalesce(jsonb_agg(m ORDER BY m::text), '[]') FROM (
                  SELECT jsonb_build_object('relation', h.relation, 'surnamePrefix', h.surname_prefix,
                                            'surname', h.surname, 'birthDate', h.birth_date::text) AS m
                  FROM household_members h WHERE h.registration_id = l.id) stored)
       ), gone AS (
         DELETE FROM household_members h USING target t WHERE h.registration_id = t.id RETURNING 1
       ), added AS (
         INSERT INTO household_members (id, registration_id, relation, surname_prefix, surname, birth_date)
         SELECT gen_random_uuid(), t.id, m->>'relation', m->>'surnamePrefix', m->>'surname', (m->>'birthDate')::date
         FROM target t, jsonb_array_elements(t.household) m
         RETURNING 1
       )
       SELECT count(*)::int AS n FROM target`,
      [],
    );

    at('announce');
    const tx: SqlExecutor = {
      query: async <T>(sql: string, params?: unknown[]) => (await this.client.query(sql, params)).rows as T[],
    };
    await input.announceCreated(tx, 'dossier_import_created', loadId);
    if (deregistered > 0) await input.announceDeregistered(tx, 'dossier_import_deregistered', endedAt);

    const accepted = input.rowsRead - rowsRejected;
    const counts: LoadCounts = {
      rowsRead: input.rowsRead,
      rowsRejected,
      rejectsStored,
      rowsUnchanged: accepted - classes.total,
      dossiersNew: classes.new,
      dossiersChanged: classes.changed,
      dossiersDeleted: classes.deleted + absent,
      deletionsOfUnknownDossiers: classes.unknown_deletions,
      registrationsCreated: regs.created,
      registrationsUpdated: regs.updated,
      registrationsDeregistered: deregistered,
      dossiersRevived: classes.revived,
      householdsUpdated,
      duplicatesMerged: classes.new + classes.revived - regs.created,
    };
    // Outbox rows and their notification go with the savepoint (a NOTIFY of a rolled-back subtransaction is dropped).
    if (input.dryRun) await q('ROLLBACK TO SAVEPOINT dossier_import_dry_run', []);
    await q(`UPDATE dossier_import_loads SET status = $3, finished_at = now(), counts = $2 WHERE id = $1`, [
      loadId,
      JSON.stringify(counts),
      input.dryRun ? 'DRY_RUN' : 'COMPLETED',
    ]);
    await q('COMMIT', []);
    this.open = false;
    return counts;
  }

  async close(): Promise<void> {
    try {
      if (this.open) await this.client.query('ROLLBACK');
    } catch {
      // the connection is gone; nothing to roll back
    } finally {
      this.open = false;
      await this.client.end().catch(() => undefined);
    }
  }
}

/** The only TypeORM (and pg) user of the dossier import. */
@Injectable()
export class DossierImportRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Records a RUNNING load (committed at once, so a failed load stays visible). */
  async startLoad(id: string, source: string, mode: ImportMode): Promise<void> {
    await this.dataSource.manager.insert(DossierImportLoadEntity, {
      id,
      sourceSystem: source,
      mode,
      status: 'RUNNING',
      startedAt: new Date(),
      finishedAt: null,
      counts: null,
      failureCode: null,
    });
  }

  async failLoad(id: string, failureCode: string): Promise<void> {
    await this.dataSource.manager.update(
      DossierImportLoadEntity,
      { id, status: 'RUNNING' },
      { status: 'FAILED', finishedAt: new Date(), failureCode },
    );
  }

  async findLoad(id: string): Promise<LoadSummary | null> {
    return this.dataSource.manager.findOne(DossierImportLoadEntity, { where: { id } });
  }

  /**
   * Opens the load's transaction on a dedicated connection and takes the import lock (one load at a time:
   * loads of different sources may merge into the same registrations).
   */
  async openSession(): Promise<ImportSession> {
    const client = await this.connect('dossier-import');
    try {
      await client.query('BEGIN');
      // Sorts and hashes of a million-row merge stay in memory on the server side.
      await client.query(`SET LOCAL work_mem = '64MB'`);
      const lock = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(${LOCK_KEY}) AS ok`);
      return new PgImportSession(client, lock.rows[0]?.ok === true);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  /** Rejected rows of a load as CSV: line_number, reasons, then the file's columns. */
  rejectsCsv(loadId: string): Promise<Readable> {
    const fields = DOSSIER_COLUMNS.map((c) => `record->>'${c}' AS ${c}`).join(', ');
    return this.copyOut(
      (lit) =>
        `COPY (SELECT line_number, reasons, ${fields} FROM dossier_import_rejects
               WHERE load_id = ${lit(loadId)}::uuid ORDER BY line_number) TO STDOUT WITH (FORMAT csv, HEADER)`,
    );
  }

  /** The concordance as CSV (optionally for one source system). */
  concordanceCsv(source?: string): Promise<Readable> {
    return this.copyOut(
      (lit) =>
        `COPY (SELECT source_system, dossier_number, registration_id, organisation_id, encode(row_hash, 'hex') AS row_hash,
                      first_load_id, last_load_id, deleted_at
               FROM dossier_concordance ${source === undefined ? '' : `WHERE source_system = ${lit(source)}`}
               ORDER BY source_system, dossier_number) TO STDOUT WITH (FORMAT csv, HEADER)`,
    );
  }

  /** COPY ... TO STDOUT on its own connection, closed when the stream ends, fails or is destroyed. */
  private async copyOut(sql: (literal: (value: string) => string) => string): Promise<Readable> {
    const client = await this.connect('dossier-import-export');
    try {
      const stream = client.query(copyTo(sql((v) => client.escapeLiteral(v))));
      let closed = false;
      const end = () => {
        if (closed) return;
        closed = true;
        void client.end().catch(() => undefined);
      };
      stream.once('end', end);
      stream.once('error', end);
      stream.once('close', end);
      return stream;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  private async connect(applicationName: string): Promise<Client> {
    const o = this.dataSource.options as PostgresConnectionOptions;
    const config: ClientConfig = {
      host: o.host,
      port: o.port,
      user: o.username,
      database: o.database,
      application_name: applicationName,
      ...(typeof o.password === 'string' ? { password: o.password } : {}),
    };
    const client = new Client(config);
    await client.connect();
    return client;
  }
}
