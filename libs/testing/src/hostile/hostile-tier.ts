import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Logger } from '@divit/observability';
import { badBodies, BadInput, badQueryValues, plausible, seedFor } from './inputs';
import { fillPath, loadOperations, Operation } from './openapi';

/**
 * How an operation is judged when tenant B calls it. Operations that carry one of tenant A's values (a path
 * parameter, a query parameter or a body property named in the fixture) need no entry: they are tenant-scoped
 * by default. Every operation without a bearer-token requirement, and every secured write that carries none of
 * A's values, must have an entry, so a new endpoint cannot escape the tier unjudged.
 */
export type OperationClass =
  /** No bearer token by design (health, JWKS, signed deliveries): judged only for 5xx and leaks of A's data. */
  | { kind: 'public'; reason: string }
  /**
   * Platform-wide effect or data, or a tool that is not a tenant's (a simulator): only a platform operator may call
   * it, so tenant B must get 401/403 (or 404 where the operation is switched off).
   */
  | { kind: 'operator'; reason: string }
  /** Acts on the caller's own organisation only: judged for 5xx, leaks and A's rows. */
  | { kind: 'caller-scoped'; reason: string };

/** A request that is valid for tenant A (the fixture's example), overriding what the schema would give. */
export interface RequestSpec {
  path?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

export interface HostileTierOptions {
  /** The service name, which is also its OpenAPI document's name (docs/openapi/<service>.json). */
  service: string;
  /** The running service (a ServiceTestApp): its base URL and its own database. */
  app: { url: string; query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> };
  tokens: {
    /** Tenant A's organisation admin with every role (and `platform-operator`, which earlier code ignores). */
    a: string;
    /** Tenant B's organisation admin with every role except `platform-operator`. */
    b: string;
  };
  /** Tenant A's values by parameter or property name (ids of A's organisation, registrations, ...). */
  values: Record<string, unknown>;
  /** Per operation id: a request that is valid for tenant A (path, query, body). */
  requests?: Record<string, RequestSpec>;
  /** Strings that identify A's data in responses and rows; default: every uuid among the values and requests. */
  markers?: string[];
  classes?: Record<string, OperationClass>;
  /** Tables whose rows may legitimately change when B is refused (e.g. an access log of attempts), with why. */
  ignoredTables?: Record<string, string>;
  /**
   * The operations of the concurrency burst (reads and writes of A's main resources, so that more requests than
   * the pool has connections run the same code at once); default: every operation on A's values.
   */
  burst?: string[];
  seed?: number;
  /** Seeded fast-check samples per write operation (besides the fixed cases every write gets). */
  samplesPerWrite?: number;
  timeoutMs?: number;
}

export type Check = 'classification' | 'cross-tenant' | 'partial-write' | 'bad-input' | 'concurrency';

export interface Finding {
  check: Check;
  operation: string;
  input: string;
  status: number | 'timeout' | 'error' | '-';
  detail: string;
}

interface Sent {
  status: number | 'timeout' | 'error';
  type: string;
  text: string;
  ms: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const REFUSALS = new Set([401, 403, 404, 409, 422]);

/**
 * The hostile-client tier for one service, driven by its committed OpenAPI document: cross-tenant reads and
 * writes of every operation, seeded bad input for every write, and a burst of concurrent requests. Each check
 * returns its findings (empty means the service held); `summary()` counts what was sent and found.
 */
/** Operations of the shared platform layer (libs/service-kit PlatformHttpModule), in every service. */
const PLATFORM_CLASSES: Record<string, OperationClass> = {
  healthLive: { kind: 'public', reason: 'liveness probe' },
  healthReady: { kind: 'public', reason: 'readiness probe' },
  metricsScrape: {
    kind: 'public',
    reason: 'Prometheus scrape: service-wide counters, no tenant data (checked for A’s ids like any answer)',
  },
};

export class HostileTier {
  readonly operations: Operation[];
  private readonly logger = new Logger('hostile-tier');
  private readonly markers: string[];
  private readonly stats = {
    requests: 0,
    fiveXx: 0,
    timeouts: 0,
    crossTenantSuccesses: 0,
    partialWrites: 0,
    badInputs: 0,
    concurrent: 0,
    slowestMs: 0,
    stuckSessionsEnded: 0,
  };
  private readonly options: HostileTierOptions;
  private readonly all: Finding[] = [];
  private readonly burstStatuses: Record<string, number> = {};
  private readonly covered = new Set<string>();

  constructor(options: HostileTierOptions) {
    // The operations every service gets from the platform (PlatformHttpModule) are judged here, once.
    this.options = { ...options, classes: { ...PLATFORM_CLASSES, ...options.classes } };
    this.operations = loadOperations(options.service);
    const found = new Set<string>(options.markers ?? []);
    if (!options.markers) {
      const scan = (v: unknown): void => {
        if (typeof v === 'string' && UUID.test(v)) found.add(v.toLowerCase());
        else if (v && typeof v === 'object') Object.values(v).forEach(scan);
      };
      scan(options.values);
      Object.values(options.requests ?? {}).forEach((r) => scan(r.path));
    }
    this.markers = [...found];
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 20_000;
  }

  private record(findings: Finding[]): Finding[] {
    this.all.push(...findings);
    return findings;
  }

  /** Every operation classified or carrying A's values; no classification names a missing operation. */
  classification(): Finding[] {
    const findings: Finding[] = [];
    const classes = this.options.classes ?? {};
    const ids = new Set(this.operations.map((o) => o.operationId));
    for (const id of Object.keys(classes))
      if (!ids.has(id))
        findings.push(
          this.finding('classification', id, '-', '-', 'classified but not in the OpenAPI document'),
        );
    for (const id of this.options.burst ?? [])
      if (!ids.has(id))
        findings.push(
          this.finding('classification', id, '-', '-', 'in the burst but not in the OpenAPI document'),
        );
    for (const id of Object.keys(this.options.requests ?? {}))
      if (!ids.has(id))
        findings.push(
          this.finding(
            'classification',
            id,
            '-',
            '-',
            'a request is given but the operation is not in the OpenAPI document',
          ),
        );
    for (const op of this.operations) {
      const cls = classes[op.operationId];
      const name = label(op);
      if (!op.secured && cls?.kind !== 'public' && cls?.kind !== 'operator')
        findings.push(
          this.finding(
            'classification',
            name,
            '-',
            '-',
            'no bearer-token requirement: classify it as public or operator-only (with a reason), or secure it',
          ),
        );
      if (op.secured && cls?.kind === 'public')
        findings.push(
          this.finding('classification', name, '-', '-', 'classified public but requires a bearer token'),
        );
      for (const p of op.parameters.filter((x) => x.in === 'path'))
        if (this.pathValues(op)[p.name] === undefined)
          findings.push(
            this.finding('classification', name, '-', '-', `no tenant A value for path parameter ${p.name}`),
          );
      if (op.secured && !cls && WRITES.has(op.method) && this.target(op) === 'none')
        findings.push(
          this.finding(
            'classification',
            name,
            '-',
            '-',
            "a secured write that carries none of tenant A's values: classify it as operator or caller-scoped",
          ),
        );
    }
    return this.record(findings);
  }

  /**
   * Tenant B calls every operation with tenant A's values. Path-parameter operations on A's values must be
   * refused (401/403/404/409/422); nothing B gets with a 2xx may contain A's markers; operator operations refuse
   * B (401/403, or 404 where switched off); and A's rows (every row of the service's tables mentioning a marker) are unchanged afterwards.
   */
  async crossTenant(): Promise<Finding[]> {
    const findings: Finding[] = [];
    const before = await this.stableSnapshot();
    // Reads first, so a write B should not have been allowed cannot hide a read leak.
    const ordered = [...this.operations].sort(
      (x, y) => Number(WRITES.has(x.method)) - Number(WRITES.has(y.method)),
    );
    for (const op of ordered) {
      const values = this.pathValues(op);
      if (op.parameters.some((p) => p.in === 'path' && values[p.name] === undefined)) continue;
      this.covered.add(op.operationId);
      const cls = this.options.classes?.[op.operationId];
      const target = this.target(op);
      const res = await this.send(op, this.options.tokens.b, values, this.query(op), this.encoded(op));
      const name = label(op);
      const leak = typeof res.status === 'number' && res.status < 300 && this.leaks(res.text);
      const input = `tenant B, ${target === 'path' ? "A's ids in the path" : target === 'body' ? "A's ids in query/body" : 'no A ids'}`;
      const add = (detail: string) =>
        findings.push(this.finding('cross-tenant', name, input, res.status, detail));
      if (typeof res.status !== 'number') add(noAnswer(res, this.timeoutMs));
      else if (res.status >= 500) add(`5xx: ${snippet(res.text)}`);
      else if (cls?.kind === 'operator') {
        if (res.status !== 401 && res.status !== 403 && res.status !== 404) {
          if (res.status < 300) this.stats.crossTenantSuccesses++;
          add(
            `an operator-only operation (${cls.reason}) answered tenant B with ${res.status}, not 401/403/404`,
          );
        }
      } else if (target === 'path' && cls?.kind !== 'public') {
        if (res.status < 300) {
          this.stats.crossTenantSuccesses++;
          add(
            `tenant B succeeded on tenant A's resource${leak ? " and saw A's data" : ''}: ${snippet(res.text)}`,
          );
        } else if (res.status === 400)
          add(
            `inconclusive: the request was invalid (${snippet(res.text)}), so tenancy was not exercised; give a valid request`,
          );
        else if (!REFUSALS.has(res.status)) add(`unexpected status (expected 401/403/404/409/422)`);
      } else if (leak) {
        this.stats.crossTenantSuccesses++;
        add(`tenant B's 2xx answer contains tenant A's data: ${snippet(res.text)}`);
      } else if (target === 'body' && res.status === 400)
        add(
          `inconclusive: the request was invalid (${snippet(res.text)}), so tenancy was not exercised; give a valid request`,
        );
    }
    const after = await this.snapshot();
    for (const [table, was] of before) {
      const now = after.get(table);
      if (now?.hash !== was.hash) {
        this.stats.partialWrites++;
        findings.push(
          this.finding(
            'partial-write',
            table,
            "tenant A's rows after all of tenant B's calls",
            '-',
            `rows mentioning A: ${was.count} before, ${now?.count ?? 0} after, content ${now?.hash === was.hash ? 'same' : 'changed'}`,
          ),
        );
      }
    }
    return this.record(findings);
  }

  /**
   * Tenant A's own token, hostile inputs: seeded mutated bodies for every POST/PUT/PATCH, hostile values in every
   * query parameter and path parameter. Every answer must be 2xx/3xx/4xx, and every 4xx application/problem+json.
   */
  async badInput(): Promise<Finding[]> {
    const findings: Finding[] = [];
    const seed = this.options.seed ?? 13;
    const n = this.options.samplesPerWrite ?? 30;
    type Case = {
      op: Operation;
      input: string;
      path: Record<string, string>;
      query: Record<string, string>;
      body: BadInput | null;
    };
    const cases: Case[] = [];
    for (const op of this.operations) {
      const values = this.pathValues(op);
      if (op.parameters.some((p) => p.in === 'path' && values[p.name] === undefined)) continue;
      if (['POST', 'PUT', 'PATCH'].includes(op.method)) {
        const contentType = op.body?.contentType ?? 'application/json';
        for (const body of badBodies(op.body?.schema ?? { type: 'object' }, this.body(op) ?? {}, {
          seed: seedFor(seed, op.operationId),
          n,
          contentType,
        }))
          cases.push({ op, input: `body: ${body.label}`, path: values, query: this.query(op), body });
      }
      const validBody = this.encoded(op);
      for (const p of op.parameters.filter((x) => x.in === 'query'))
        for (const [what, value] of badQueryValues(seedFor(seed + 1, `${op.operationId}.${p.name}`), 3))
          cases.push({
            op,
            input: `query ${p.name}: ${what}`,
            path: values,
            query: { ...this.query(op), [p.name]: value },
            body: validBody,
          });
      for (const p of op.parameters.filter((x) => x.in === 'path'))
        for (const [what, value] of PATH_VALUES)
          cases.push({
            op,
            input: `path ${p.name}: ${what}`,
            path: { ...values, [p.name]: value },
            query: this.query(op),
            body: validBody,
          });
    }
    const judge = async (c: Case) => {
      this.stats.badInputs++;
      const name = label(c.op);
      const res = await this.send(c.op, this.options.tokens.a, c.path, c.query, c.body);
      if (typeof res.status !== 'number')
        findings.push(this.finding('bad-input', name, c.input, res.status, noAnswer(res, this.timeoutMs)));
      else if (res.status >= 500)
        findings.push(this.finding('bad-input', name, c.input, res.status, `5xx: ${snippet(res.text)}`));
      else if (res.status >= 400 && !res.type.includes('application/problem+json'))
        findings.push(
          this.finding(
            'bad-input',
            name,
            c.input,
            res.status,
            `a ${res.status} that is not application/problem+json (${res.type || 'no content type'})`,
          ),
        );
    };
    // Writes one at a time in document order, so each answer depends only on the inputs (no import lock or
    // version conflict between two of the tier's own requests); reads four at a time (fewer than half the pool's
    // connections), which keeps the tier well under a minute per service.
    for (const c of cases.filter((x) => x.op.method !== 'GET')) await judge(c);
    const reads = cases.filter((x) => x.op.method === 'GET');
    let next = 0;
    const worker = async () => {
      while (next < reads.length) await judge(reads[next++]!);
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    // Deterministic order whatever the workers' timing.
    findings.sort((x, y) => `${x.operation} ${x.input}`.localeCompare(`${y.operation} ${y.input}`));
    return this.record(findings);
  }

  /**
   * Bursts of `n` simultaneous requests of tenant A with the pool at its default size, each request with its own
   * deadline so a deadlock fails instead of hanging: first the burst operations mixed (reads and writes
   * alternating), then `n` of each burst operation alone (so more requests than the pool has connections run the
   * same code at once). After each burst one more read must still answer. A burst that leaves the service stuck
   * ends the check (later bursts would only repeat it).
   */
  async concurrency(n = 50): Promise<Finding[]> {
    const findings: Finding[] = [];
    const chosen = this.options.burst;
    const mix = this.operations.filter((op) =>
      chosen
        ? chosen.includes(op.operationId)
        : this.options.classes?.[op.operationId] === undefined && this.target(op) !== 'none',
    );
    const reads = mix.filter((op) => !WRITES.has(op.method));
    const writes = mix.filter((op) => WRITES.has(op.method));
    if (mix.length === 0)
      return this.record([
        this.finding('concurrency', this.options.service, '-', '-', 'no operation of tenant A to send'),
      ]);
    const mixed = Array.from({ length: n }, (_, i) => {
      const pool = i % 2 === 0 && writes.length ? writes : reads.length ? reads : writes;
      return pool[Math.floor(i / 2) % pool.length]!;
    });
    const bursts: [string, Operation[]][] = [
      ['mixed', mixed],
      ...mix.map((op): [string, Operation[]] => [op.operationId, Array.from({ length: n }, () => op)]),
    ];
    const probe = reads[0] ?? mix[0]!;
    for (const [name, burst] of bursts) {
      const answers = await Promise.all(
        burst.map((op) =>
          this.send(op, this.options.tokens.a, this.pathValues(op), this.query(op), this.encoded(op)),
        ),
      );
      let stuck = false;
      // One finding per operation and outcome of the burst ("42 of 50 ... no answer"), not one per request.
      const failed = new Map<string, { op: Operation; res: Sent; count: number }>();
      answers.forEach((res, i) => {
        const op = burst[i]!;
        this.stats.concurrent++;
        const key = `${name}: ${op.operationId} ${res.status}`;
        this.burstStatuses[key] = (this.burstStatuses[key] ?? 0) + 1;
        // A 429 means the rate limiter answered instead of the code under test: the burst never reached the pool,
        // so it proves nothing (run the tier with RATE_LIMIT_ENABLED=false; rate limits have their own tests).
        if (typeof res.status !== 'number' || res.status >= 500 || res.status === 429) {
          if (typeof res.status !== 'number') stuck = true;
          const entry = failed.get(key) ?? { op, res, count: 0 };
          entry.count++;
          failed.set(key, entry);
        }
      });
      for (const { op, res, count } of failed.values())
        findings.push(
          this.finding(
            'concurrency',
            label(op),
            `burst ${name}: ${count} of ${n} simultaneous requests`,
            res.status,
            typeof res.status !== 'number'
              ? noAnswer(res, this.timeoutMs)
              : res.status === 429
                ? 'rate limited: the burst did not reach the code under test (disable the rate limit for the tier)'
                : `5xx: ${snippet(res.text)}`,
          ),
        );
      const after = await this.send(
        probe,
        this.options.tokens.a,
        this.pathValues(probe),
        this.query(probe),
        this.encoded(probe),
      );
      if (typeof after.status !== 'number' || after.status >= 500) {
        stuck = true;
        findings.push(
          this.finding(
            'concurrency',
            label(probe),
            `a read after the burst ${name}`,
            after.status,
            `the service did not recover: ${noAnswer(after, this.timeoutMs)}`,
          ),
        );
      }
      if (stuck) break;
    }
    return this.record(findings);
  }

  /**
   * Ends the sessions of the service's own test database that a stuck pool left idle in a transaction (a
   * deadlock the concurrency check found), so the app can close instead of hanging the suite's teardown.
   * Returns how many it ended (also in the summary).
   */
  async releaseStuckSessions(): Promise<number> {
    const [row] = await this.options.app.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle in transaction'
         AND now() - state_change > interval '5 seconds'`,
    );
    this.stats.stuckSessionsEnded += Number(row?.n ?? 0);
    return Number(row?.n ?? 0);
  }

  /** The counts of this run, logged and written to reports/hostile/<service>.json. */
  summary(): Record<string, unknown> {
    const summary = {
      service: this.options.service,
      operations: this.operations.length,
      operationsCovered: this.covered.size,
      requests: this.stats.requests,
      badInputs: this.stats.badInputs,
      concurrentRequests: this.stats.concurrent,
      fiveXx: this.stats.fiveXx,
      timeouts: this.stats.timeouts,
      crossTenantSuccesses: this.stats.crossTenantSuccesses,
      partialWrites: this.stats.partialWrites,
      slowestMs: this.stats.slowestMs,
      stuckSessionsEnded: this.stats.stuckSessionsEnded,
      findings: this.all.length,
      burstStatuses: this.burstStatuses,
      seed: this.options.seed ?? 13,
    };
    const dir = resolve(__dirname, '../../../../reports/hostile');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, `${this.options.service}.json`),
      JSON.stringify({ ...summary, findingList: this.all }, null, 2),
    );
    this.logger.info('hostile-client tier summary', summary);
    return summary;
  }

  private finding(
    check: Check,
    operation: string,
    input: string,
    status: Finding['status'],
    detail: string,
  ): Finding {
    return { check, operation, input, status, detail };
  }

  private pathValues(op: Operation): Record<string, string> {
    const given = this.options.requests?.[op.operationId]?.path ?? {};
    const out: Record<string, string> = {};
    for (const p of op.parameters.filter((x) => x.in === 'path')) {
      const v = given[p.name] ?? this.options.values[p.name];
      if (v !== undefined) out[p.name] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    return out;
  }

  private query(op: Operation): Record<string, string> {
    const given = this.options.requests?.[op.operationId]?.query;
    if (given) return given;
    const out: Record<string, string> = {};
    for (const p of op.parameters.filter((x) => x.in === 'query')) {
      if (p.name in this.options.values) out[p.name] = String(this.options.values[p.name]);
      else if (p.required) out[p.name] = String(plausible(p.schema, this.options.values, p.name));
    }
    return out;
  }

  private body(op: Operation): unknown {
    if (!op.body) return undefined;
    const given = this.options.requests?.[op.operationId];
    if (given && 'body' in given) return given.body;
    if (!op.body.contentType.includes('json')) return '';
    return plausible(op.body.schema, this.options.values);
  }

  /** The valid body as sent (JSON unless the operation takes text, e.g. a CSV upload). */
  private encoded(op: Operation): BadInput | null {
    const body = this.body(op);
    if (body === undefined) return null;
    return typeof body === 'string'
      ? { label: 'valid', body, contentType: op.body?.contentType }
      : { label: 'valid', body: JSON.stringify(body), contentType: 'application/json' };
  }

  /** Where the operation carries tenant A's values: in its path, in its query or body, or nowhere. */
  private target(op: Operation): 'path' | 'body' | 'none' {
    if (Object.values(this.pathValues(op)).some((v) => this.leaks(v))) return 'path';
    const rest = JSON.stringify([this.query(op), this.body(op) ?? null]);
    return this.leaks(rest) ? 'body' : 'none';
  }

  private leaks(text: string): boolean {
    const lower = text.toLowerCase();
    return this.markers.some((m) => lower.includes(m.toLowerCase()));
  }

  /**
   * One request, with its own deadline. A connection-level failure (not a timeout) is retried once on a fresh
   * connection: the client may have reused a keep-alive socket the server was closing after an early answer (e.g.
   * to a body it refused unread); a server that really drops the connection for this input fails twice.
   */
  private async send(
    op: Operation,
    token: string,
    path: Record<string, string>,
    query: Record<string, string>,
    input: BadInput | null,
  ): Promise<Sent> {
    const first = await this.sendOnce(op, token, path, query, input);
    if (first.status !== 'error') return first;
    return this.sendOnce(op, token, path, query, input);
  }

  private async sendOnce(
    op: Operation,
    token: string,
    path: Record<string, string>,
    query: Record<string, string>,
    input: BadInput | null,
  ): Promise<Sent> {
    const qs = new URLSearchParams(query).toString();
    const url = `${this.options.app.url}${fillPath(op.path, path)}${qs ? `?${qs}` : ''}`;
    const payload = input?.body;
    const contentType = input?.contentType;
    const started = Date.now();
    this.stats.requests++;
    try {
      const res = await fetch(url, {
        method: op.method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(contentType ? { 'content-type': contentType } : {}),
        },
        ...(payload === undefined || op.method === 'GET' ? {} : { body: payload }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = Buffer.from(await res.arrayBuffer()).toString('latin1');
      const ms = Date.now() - started;
      this.stats.slowestMs = Math.max(this.stats.slowestMs, ms);
      if (res.status >= 500) this.stats.fiveXx++;
      return { status: res.status, type: res.headers.get('content-type') ?? '', text, ms };
    } catch (error) {
      const ms = Date.now() - started;
      // AbortSignal.timeout rejects with a DOMException, which is not an Error in every Node version.
      const errorName = (error as { name?: string } | null)?.name;
      const timeout = errorName === 'TimeoutError' || errorName === 'AbortError';
      if (timeout) this.stats.timeouts++;
      // Duck-typed: jest's sandbox gives undici's errors another realm's Error.
      const causeMessage = (error as { cause?: { message?: unknown } } | null)?.cause?.message;
      const cause = typeof causeMessage === 'string' ? ` (${causeMessage})` : '';
      return { status: timeout ? 'timeout' : 'error', type: '', text: `${String(error)}${cause}`, ms };
    }
  }

  /** Per table: how many rows mention one of A's markers, and a hash of those rows. */
  private async snapshot(): Promise<Map<string, { count: number; hash: string }>> {
    const tables = await this.options.app.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
       ORDER BY 1, 2`,
    );
    const pattern = this.markers.map((m) => m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    const out = new Map<string, { count: number; hash: string }>();
    for (const t of tables) {
      if (this.options.ignoredTables?.[t.name] !== undefined || ALWAYS_IGNORED[t.name] !== undefined)
        continue;
      const [row] = await this.options.app.query<{ c: number; h: string }>(
        `SELECT count(*)::int AS c, md5(coalesce(string_agg(r, '|' ORDER BY r), '')) AS h
         FROM (SELECT row_to_json(x)::text AS r FROM "${t.schema}"."${t.name}" x) s WHERE r ~* $1`,
        [pattern],
      );
      out.set(`${t.schema}.${t.name}`, { count: Number(row?.c), hash: String(row?.h) });
    }
    return out;
  }

  /** A snapshot taken once A's rows stop changing (the fixture's events and outbox have settled). */
  private async stableSnapshot(): Promise<Map<string, { count: number; hash: string }>> {
    let last = await this.snapshot();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      const next = await this.snapshot();
      if (same(last, next)) return next;
      last = next;
    }
    return last;
  }
}

/** Tables no service's snapshot compares, with why. */
const ALWAYS_IGNORED: Record<string, string> = {
  outbox_messages:
    'transient: the relay deletes a row once published, so whether it is still there depends on timing; an event B causes shows in the rows it changes',
};

const PATH_VALUES: readonly [string, string][] = [
  ['not a uuid', 'not-a-uuid'],
  ['NUL byte', 'a\u0000b'],
  ['date 0000-01-01', '0000-01-01'],
  ['long', 'x'.repeat(3000)],
  ['2^53+1', '9007199254740993'],
  ['nil uuid', '00000000-0000-0000-0000-000000000000'],
  ['uppercase unknown uuid', 'ABCDEF00-0000-4000-8000-000000000000'],
];

function same(a: Map<string, { hash: string }>, b: Map<string, { hash: string }>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k)?.hash === v.hash);
}

function noAnswer(res: Sent, timeoutMs: number): string {
  return res.status === 'timeout'
    ? `no answer within ${timeoutMs} ms`
    : `the request failed after ${res.ms} ms: ${snippet(res.text)}`;
}

function label(op: Operation): string {
  return `${op.method} ${op.path} (${op.operationId})`;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 160 ? `${flat.slice(0, 160)}…` : flat;
}
