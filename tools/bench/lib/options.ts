// Command-line flags (`--records 50000` or `--records=50000`) with environment fallbacks (BENCH_RECORDS=50000).

export interface BenchOptions {
  /** Records per throughput phase (raw and platform). */
  records: number;
  /** Steady rate of the latency phases, messages per second. */
  rate: number;
  /** Measured seconds of each latency phase. */
  durationS: number;
  /** Unmeasured seconds at the same rate before each latency phase (JIT, connections, first fetches). */
  warmupS: number;
  /** Pacing tick of the latency phases: one outbox transaction / one producer send per tick. */
  tickMs: number;
  partitions: number;
  /** Records per outbox transaction (OutboxWriter.addMany) and per raw producer send. */
  writeBatch: number;
  /** Raw producer sends in flight at once (1 = await each batch before the next, like the relay). */
  rawInFlight: number;
  /** OutboxRelay batchSize (0: the library default). */
  relayBatch: number;
  /** EventConsumer transactionBatchSize (0: the library default, the whole fetched batch). */
  txBatch: number;
  /** EventConsumer fetch.maxBytesPerPartition in bytes (0: the library default). */
  fetchPartitionBytes: number;
  /** EventConsumer fetch.maxBytes in bytes (0: the library default). */
  fetchBytes: number;
  /** EventConsumer partitionsConsumedConcurrently. */
  concurrency: number;
  /** EventConsumer `pipelined` (apply while the next fetch runs, ADR 0039). */
  pipelined: boolean;
  /** PostgreSQL pool size of the benchmark's data source. */
  poolSize: number;
  /** What the platform consumer's handler does: `insert` (the benchmark) or `none` (only the inbox mark; analysis). */
  handler: 'insert' | 'batch' | 'none';
  phases: ReadonlySet<'throughput' | 'latency'>;
  /** Print written / published / applied counts every second of the platform throughput phase (stderr). */
  progress: boolean;
  brokers: string[];
  registryUrl: string;
}

interface Spec {
  flag: string;
  env: string;
  def: string;
  help: string;
}

const SPECS = {
  records: { flag: 'records', env: 'BENCH_RECORDS', def: '100000', help: 'records per throughput phase' },
  rate: { flag: 'rate', env: 'BENCH_RATE', def: '1000', help: 'latency phases: messages per second' },
  durationS: { flag: 'duration', env: 'BENCH_DURATION', def: '30', help: 'latency phases: measured seconds' },
  warmupS: {
    flag: 'warmup',
    env: 'BENCH_WARMUP',
    def: '3',
    help: 'latency phases: unmeasured warm-up seconds',
  },
  tickMs: {
    flag: 'tick-ms',
    env: 'BENCH_TICK_MS',
    def: '10',
    help: 'latency phases: one write transaction / send per tick',
  },
  partitions: {
    flag: 'partitions',
    env: 'BENCH_PARTITIONS',
    def: '3',
    help: 'partitions of every benchmark topic',
  },
  writeBatch: {
    flag: 'write-batch',
    env: 'BENCH_WRITE_BATCH',
    def: '1000',
    help: 'records per outbox transaction and per raw producer send',
  },
  rawInFlight: {
    flag: 'raw-in-flight',
    env: 'BENCH_RAW_IN_FLIGHT',
    def: '1',
    help: 'raw producer sends in flight',
  },
  relayBatch: {
    flag: 'relay-batch',
    env: 'BENCH_RELAY_BATCH',
    def: '0',
    help: 'OutboxRelay batchSize; 0 = the library default',
  },
  txBatch: {
    flag: 'tx-batch',
    env: 'BENCH_TX_BATCH',
    def: '0',
    help: 'EventConsumer transactionBatchSize; 0 = the library default (the whole fetched batch)',
  },
  fetchPartitionBytes: {
    flag: 'fetch-partition-bytes',
    env: 'BENCH_FETCH_PARTITION_BYTES',
    def: '0',
    help: 'EventConsumer fetch.maxBytesPerPartition; 0 = the library default',
  },
  fetchBytes: {
    flag: 'fetch-bytes',
    env: 'BENCH_FETCH_BYTES',
    def: '0',
    help: 'EventConsumer fetch.maxBytes; 0 = the library default',
  },
  concurrency: {
    flag: 'concurrency',
    env: 'BENCH_CONCURRENCY',
    def: '3',
    help: 'EventConsumer partitionsConsumedConcurrently; default as in the library',
  },
  pipelined: {
    flag: 'pipelined',
    env: 'BENCH_PIPELINED',
    def: 'false',
    help: "EventConsumer pipelined: true = apply a partition's chunk while the next fetch runs (ADR 0039)",
  },
  poolSize: {
    flag: 'pool-size',
    env: 'BENCH_POOL_SIZE',
    def: '10',
    help: 'PostgreSQL pool size; default as in postgresOptions',
  },
  handler: {
    flag: 'handler',
    env: 'BENCH_HANDLER',
    def: 'insert',
    help: "platform handler: 'insert' one row per event (handle), 'batch' one set-based insert per chunk (handleBatch), or 'none' (analysis only: isolates the handler's cost)",
  },
  progress: {
    flag: 'progress',
    env: 'BENCH_PROGRESS',
    def: 'false',
    help: 'true: print written/published/applied once a second in the platform throughput phase (stderr)',
  },
  phases: { flag: 'phases', env: 'BENCH_PHASES', def: 'throughput,latency', help: 'which phases to run' },
  brokers: { flag: 'brokers', env: 'KAFKA_BROKERS', def: '127.0.0.1:9092', help: 'Kafka bootstrap servers' },
  registryUrl: {
    flag: 'registry',
    env: 'SCHEMA_REGISTRY_URL',
    def: 'http://127.0.0.1:8081/apis/ccompat/v7',
    help: 'Confluent-API schema registry',
  },
} satisfies Record<keyof BenchOptions, Spec>;

export function usage(): string {
  const lines = Object.values(SPECS).map(
    (s) => `  --${s.flag.padEnd(14)} ${s.env.padEnd(20)} ${s.help} (default ${s.def})`,
  );
  return [
    'npm run bench:messaging -- [flags]        (flags win over environment variables)',
    '  flag             env',
    ...lines,
    '  PostgreSQL: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres), trust auth; databases t_bench_* are created and dropped.',
  ].join('\n');
}

function parseArgs(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    if (eq > 0) {
      out.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new Error(`flag ${arg} needs a value`);
      out.set(arg.slice(2), value);
      i++;
    }
  }
  return out;
}

export function readOptions(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): BenchOptions {
  const args = parseArgs(argv);
  const known = new Set(Object.values(SPECS).map((s) => s.flag));
  for (const flag of args.keys()) if (!known.has(flag)) throw new Error(`unknown flag --${flag}`);
  const raw = (s: Spec): string => args.get(s.flag) ?? env[s.env] ?? s.def;
  const int = (s: Spec, min: number): number => {
    const value = Number(raw(s));
    if (!Number.isInteger(value) || value < min)
      throw new Error(`--${s.flag} / ${s.env} must be an integer >= ${min}, got '${raw(s)}'`);
    return value;
  };
  const phases = new Set<'throughput' | 'latency'>();
  for (const p of raw(SPECS.phases)
    .split(',')
    .map((x) => x.trim())) {
    if (p !== 'throughput' && p !== 'latency') throw new Error(`--phases: unknown phase '${p}'`);
    phases.add(p);
  }
  const handler = raw(SPECS.handler);
  if (handler !== 'insert' && handler !== 'batch' && handler !== 'none')
    throw new Error(`--handler must be insert, batch or none, got '${handler}'`);
  const pipelined = raw(SPECS.pipelined);
  if (pipelined !== 'true' && pipelined !== 'false') throw new Error(`--pipelined must be true or false`);
  const progress = raw(SPECS.progress);
  if (progress !== 'true' && progress !== 'false') throw new Error(`--progress must be true or false`);
  return {
    handler,
    progress: progress === 'true',
    records: int(SPECS.records, 1),
    rate: int(SPECS.rate, 1),
    durationS: int(SPECS.durationS, 1),
    warmupS: int(SPECS.warmupS, 0),
    tickMs: int(SPECS.tickMs, 1),
    partitions: int(SPECS.partitions, 1),
    writeBatch: int(SPECS.writeBatch, 1),
    rawInFlight: int(SPECS.rawInFlight, 1),
    relayBatch: int(SPECS.relayBatch, 0),
    txBatch: int(SPECS.txBatch, 0),
    fetchPartitionBytes: int(SPECS.fetchPartitionBytes, 0),
    fetchBytes: int(SPECS.fetchBytes, 0),
    concurrency: int(SPECS.concurrency, 1),
    pipelined: pipelined === 'true',
    poolSize: int(SPECS.poolSize, 2),
    phases,
    brokers: raw(SPECS.brokers)
      .split(',')
      .map((b) => b.trim()),
    registryUrl: raw(SPECS.registryUrl).replace(/\/+$/, ''),
  };
}
