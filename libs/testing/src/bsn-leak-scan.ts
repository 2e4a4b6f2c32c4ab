/**
 * BSN leak scan: searches databases, Kafka records and captured logs for known (test) BSNs in plain
 * digits or any obvious encoding, and reports every hit with where it was found (never the full value
 * around it). Reusable across services and for the end-to-end run:
 *
 *   const records = await readTopicRecords(kafka, topicNames);
 *   const hits = await scanForBsnLeaks({ databases: [{ name, query }], topics: records, logs, bsns });
 *   expect(hits).toEqual([]);
 *
 * Encodings searched, for each BSN `d1…d9`:
 * - the digits; the digits with any separators between them (space, dot, dash, underscore, slash,
 *   e.g. "999 990 019", "9999.90.019"); the digits reversed;
 * - base64 and base64url of the digits (with and without padding, and at all three alignments when
 *   embedded in a longer base64 string); hex of the ASCII digits (lower and upper case);
 * - UTF-16LE and UTF-16BE of the digits (in binary values and in text);
 * - the number as a 32-bit big/little-endian integer and as an Avro long (zigzag varint), in binary
 *   values only (Kafka keys/values/headers, bytea columns).
 * Database columns scanned: every column of every base table in the non-system schemas whose type is
 * text-like (text, varchar, char, name, citext), json/jsonb, bytea, arrays (as text) or integer/numeric.
 */

export interface ScannableDatabase {
  /** A label for the report, e.g. the database name. */
  name: string;
  /** Runs SQL on the database (e.g. `dataSource.query.bind(dataSource)` or a pg client). */
  query: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;
}

export interface TopicRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string | undefined>;
}

export interface BsnLeakScanInput {
  databases?: readonly ScannableDatabase[];
  topics?: readonly TopicRecord[];
  logs?: readonly string[];
  bsns: readonly string[];
}

export interface BsnLeakHit {
  source: 'database' | 'topic' | 'log';
  /** Where: `db.schema.table.column (row n)`, `topic[partition]@offset key|value|header:name`, `log line n`. */
  location: string;
  /** Which encoding matched (e.g. "plain", "base64", "utf16le"); the BSN is given masked (last 3 digits). */
  encoding: string;
  bsn: string;
}

interface Needle {
  encoding: string;
  bytes: Buffer;
  binaryOnly: boolean;
}

const SEPARATORS = '[\\s.\\-_/]';

/** Every encoded form of one BSN that the scan looks for. */
export function needlesFor(bsn: string): Needle[] {
  if (!/^\d{9}$/.test(bsn)) throw new Error('scanForBsnLeaks: each BSN must be nine digits');
  const ascii = Buffer.from(bsn, 'ascii');
  const needles: Needle[] = [
    { encoding: 'plain', bytes: ascii, binaryOnly: false },
    { encoding: 'reversed', bytes: Buffer.from([...bsn].reverse().join(''), 'ascii'), binaryOnly: false },
    { encoding: 'hex', bytes: Buffer.from(ascii.toString('hex'), 'ascii'), binaryOnly: false },
    {
      encoding: 'hex-upper',
      bytes: Buffer.from(ascii.toString('hex').toUpperCase(), 'ascii'),
      binaryOnly: false,
    },
    { encoding: 'utf16le', bytes: Buffer.from(bsn, 'utf16le'), binaryOnly: false },
    { encoding: 'utf16be', bytes: Buffer.from(bsn, 'utf16le').swap16(), binaryOnly: false },
  ];
  // base64 at the three alignments a 9-byte run can have inside a longer encoded buffer. For alignment
  // a > 0 the first quantum of base64(a filler bytes + digits) mixes filler and digits, so only the
  // next two quanta (8 characters, six digits) are certain to appear in any base64 text holding them.
  for (let a = 0; a < 3; a++) {
    const encoded = Buffer.concat([Buffer.alloc(a, 0), ascii]).toString('base64');
    const stable = a === 0 ? encoded : encoded.slice(4, 12);
    needles.push({ encoding: `base64@${a}`, bytes: Buffer.from(stable, 'ascii'), binaryOnly: false });
    const url = stable.replace(/\+/g, '-').replace(/\//g, '_');
    if (url !== stable)
      needles.push({ encoding: `base64url@${a}`, bytes: Buffer.from(url, 'ascii'), binaryOnly: false });
  }
  const n = Number(bsn);
  const be = Buffer.alloc(4);
  be.writeUInt32BE(n);
  const le = Buffer.alloc(4);
  le.writeUInt32LE(n);
  needles.push(
    { encoding: 'int32be', bytes: be, binaryOnly: true },
    { encoding: 'int32le', bytes: le, binaryOnly: true },
    { encoding: 'avro-long', bytes: zigzagVarint(n), binaryOnly: true },
  );
  return needles;
}

function zigzagVarint(n: number): Buffer {
  let z = BigInt(n) * 2n; // positive: zigzag is n << 1
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number((z & 0x7fn) | 0x80n));
    z >>= 7n;
  }
  out.push(Number(z));
  return Buffer.from(out);
}

/** Digits with optional separators between every pair, e.g. 999 990 019 or 9999.90.019. */
function separatedPattern(bsn: string): RegExp {
  return new RegExp(`(?<!\\d)${[...bsn].join(`${SEPARATORS}?`)}(?!\\d)`);
}

function mask(bsn: string): string {
  return `******${bsn.slice(6)}`;
}

/** Scans one value; returns the encodings that matched for the BSN. */
function matches(value: Buffer | string, bsn: string, needles: Needle[], binary: boolean): string[] {
  const found: string[] = [];
  const buffer = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  for (const needle of needles) {
    if (needle.binaryOnly && !binary) continue;
    if (buffer.includes(needle.bytes)) found.push(needle.encoding);
  }
  const text = typeof value === 'string' ? value : value.toString('latin1');
  if (!found.includes('plain') && separatedPattern(bsn).test(text)) found.push('separated');
  return found;
}

/**
 * Searches every given source for every given BSN. Returns the hits (empty when nothing leaked).
 */
export async function scanForBsnLeaks(input: BsnLeakScanInput): Promise<BsnLeakHit[]> {
  const hits: BsnLeakHit[] = [];
  const prepared = input.bsns.map((bsn) => ({ bsn, needles: needlesFor(bsn) }));
  const check = (source: BsnLeakHit['source'], location: string, value: Buffer | string, binary: boolean) => {
    for (const { bsn, needles } of prepared)
      for (const encoding of matches(value, bsn, needles, binary))
        hits.push({ source, location, encoding, bsn: mask(bsn) });
  };

  for (const db of input.databases ?? []) {
    const columns = await db.query(
      `SELECT c.table_schema, c.table_name, c.column_name, c.data_type
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE t.table_type = 'BASE TABLE'
          AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
          AND c.data_type IN ('text', 'character varying', 'character', 'name', 'citext', 'json', 'jsonb',
                              'bytea', 'ARRAY', 'USER-DEFINED', 'integer', 'bigint', 'numeric')`,
    );
    for (const col of columns) {
      const schema = String(col.table_schema);
      const table = String(col.table_name);
      const column = String(col.column_name);
      const type = String(col.data_type);
      const ident = `"${schema.replace(/"/g, '""')}"."${table.replace(/"/g, '""')}"`;
      const colIdent = `"${column.replace(/"/g, '""')}"`;
      const select = type === 'bytea' ? colIdent : `${colIdent}::text`;
      const rows = await db.query(`SELECT ${select} AS v FROM ${ident} WHERE ${colIdent} IS NOT NULL`);
      rows.forEach((row, i) => {
        const v = row.v;
        if (v === null || v === undefined) return;
        const value = Buffer.isBuffer(v) ? v : typeof v === 'string' ? v : JSON.stringify(v);
        check(
          'database',
          `${db.name}.${schema}.${table}.${column} (row ${i + 1})`,
          value,
          Buffer.isBuffer(v),
        );
      });
    }
  }

  for (const record of input.topics ?? []) {
    const where = `${record.topic}[${record.partition}]@${record.offset}`;
    if (record.key) check('topic', `${where} key`, record.key, true);
    if (record.value) check('topic', `${where} value`, record.value, true);
    for (const [name, header] of Object.entries(record.headers)) {
      check('topic', `${where} header-name`, name, false);
      if (header !== undefined)
        check(
          'topic',
          `${where} header:${name}`,
          Buffer.isBuffer(header) ? header : Buffer.from(header),
          true,
        );
    }
  }

  (input.logs ?? []).forEach((line, i) => check('log', `log line ${i + 1}`, line, false));
  return hits;
}

/** Minimal structural kafkajs types, so this module needs no import of kafkajs. */
interface KafkaLike {
  admin(): {
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    fetchTopicOffsets(topic: string): Promise<{ partition: number; high: string; low: string }[]>;
  };
  consumer(config: { groupId: string }): {
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    subscribe(s: { topics: string[]; fromBeginning: boolean }): Promise<void>;
    run(config: {
      eachMessage: (p: {
        topic: string;
        partition: number;
        message: {
          offset: string;
          key: Buffer | null;
          value: Buffer | null;
          headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
        };
      }) => Promise<void>;
    }): Promise<void>;
  };
}

/**
 * Reads every record of the given topics, from the beginning up to the high watermark at call time,
 * with a throw-away consumer group (raw bytes: keys, values, headers).
 */
export async function readTopicRecords(
  kafka: KafkaLike,
  topics: readonly string[],
  timeoutMs = 60_000,
): Promise<TopicRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const remaining = new Map<string, bigint>();
  try {
    for (const topic of topics)
      for (const p of await admin.fetchTopicOffsets(topic))
        if (BigInt(p.high) > BigInt(p.low)) remaining.set(`${topic}:${p.partition}`, BigInt(p.high));
  } finally {
    await admin.disconnect();
  }
  const records: TopicRecord[] = [];
  if (remaining.size === 0) return records;
  const consumer = kafka.consumer({
    groupId: `bsn-leak-scan-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('readTopicRecords: timed out before the high watermarks')),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          const headers: Record<string, Buffer | string | undefined> = {};
          for (const [k, v] of Object.entries(message.headers ?? {}))
            headers[k] = Array.isArray(v)
              ? Buffer.concat(v.map((x) => (Buffer.isBuffer(x) ? x : Buffer.from(x))))
              : v;
          records.push({
            topic,
            partition,
            offset: message.offset,
            key: message.key,
            value: message.value,
            headers,
          });
          const id = `${topic}:${partition}`;
          const high = remaining.get(id);
          if (high !== undefined && BigInt(message.offset) + 1n >= high) remaining.delete(id);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}
