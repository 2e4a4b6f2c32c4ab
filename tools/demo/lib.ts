/**
 * Small helpers for the demonstration: one HTTP client per service, tokens from the local development
 * issuer (tools/dev-auth.js), polling without fixed sleeps, and an allocator's/finance system's consumer.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eventDescriptors } from '@divit/contracts';
import { AvroSerde, createKafka, EventDescriptorLike, headersToStrings } from '@divit/messaging';
import { LocalTokenIssuer, Role } from '@divit/service-kit';
import { eventually } from '@divit/testing';

export const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const REGISTRY = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
export const PREFIX = process.env.KAFKA_TOPIC_PREFIX ?? '';
export const STATE = process.env.DIVIT_STACK_STATE ?? path.resolve(__dirname, '../../.stack');

export const SERVICE_URLS = {
  registration: process.env.REGISTRATION_URL ?? 'http://127.0.0.1:3001',
  consent: process.env.CONSENT_URL ?? 'http://127.0.0.1:3002',
  'identity-validation': process.env.IDENTITY_VALIDATION_URL ?? 'http://127.0.0.1:3003',
  'income-retrieval': process.env.INCOME_RETRIEVAL_URL ?? 'http://127.0.0.1:3004',
  'billing-reconciliation': process.env.BILLING_RECONCILIATION_URL ?? 'http://127.0.0.1:3005',
  'retention-cleanup': process.env.RETENTION_CLEANUP_URL ?? 'http://127.0.0.1:3006',
} as const;
export type Service = keyof typeof SERVICE_URLS;

export type Json = Record<string, unknown>;
export interface Reply {
  status: number;
  json: Json;
  body: Buffer;
  type: string;
}

export const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

const issuer = new LocalTokenIssuer(
  'divit-local',
  'divit',
  readFileSync(path.join(STATE, 'dev-auth/private.pem'), 'utf8'),
);
export const tokenFor = (organisationId: string, roles: Role[]): string =>
  issuer.sign({ subject: `demo-${roles.join('-')}`, organisationId, roles });

/**
 * SIMULATOR_TOKEN of the locally started identity-validation (tools/services.sh writes it to
 * .stack/simulator-token, mode 0600): the simulator endpoints refuse calls without it.
 */
export const simulatorToken = (): string => readFileSync(path.join(STATE, 'simulator-token'), 'utf8').trim();

/** A request to one service; `body` as JSON unless a string (sent as text/csv). */
export async function call(
  service: Service,
  method: string,
  route: string,
  token: string | null,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...extraHeaders };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined)
    headers['content-type'] = typeof body === 'string' ? 'text/csv' : 'application/json';
  const res = await fetch(`${SERVICE_URLS[service]}${route}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const buffer = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  let json: Json = {};
  if (type.includes('json') && buffer.length > 0) json = JSON.parse(buffer.toString('utf8')) as Json;
  return { status: res.status, json, body: buffer, type };
}

/** Fails the demonstration (exit 1) when a step does not answer as expected. */
export function expectStatus(label: string, reply: Reply, status: number): Json {
  if (reply.status !== status)
    throw new Error(
      `${label}: expected HTTP ${status}, got ${reply.status} ${reply.body.toString('utf8').slice(0, 400)}`,
    );
  return reply.json;
}

/** Repeats a request while it answers a retryable 409/503 (an event the service waits for is still on its way). */
export function untilNot409(request: () => Promise<Reply>, timeoutMs = 30_000): Promise<Reply> {
  return eventually(request, {
    description: 'an answer other than 409 or 503',
    until: (reply) => reply.status !== 409 && reply.status !== 503,
    timeoutMs,
    intervalMs: 200,
  });
}

export interface SeenEvent {
  topic: string;
  type: string;
  key: string;
  value: Json;
}

/** An outside system reading topics with the published reader schemas (as docs/asyncapi.yaml describes). */
export async function subscribe(clientId: string, topics: string[]) {
  const kafka = createKafka({ brokers: BROKERS, clientId });
  const serde = new AvroSerde({ registryUrl: REGISTRY, autoRegister: false });
  const readers = new Map<string, EventDescriptorLike>(eventDescriptors.map((d) => [d.type, d]));
  const seen: SeenEvent[] = [];
  const consumer = kafka.consumer({ groupId: `${clientId}-${Date.now()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: topics.map((t) => `${PREFIX}${t}`), fromBeginning: false });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const decoded = await serde.decode(message.value, readers);
      seen.push({
        topic: topic.slice(PREFIX.length),
        type: headersToStrings(message.headers).ce_type ?? decoded.type,
        key: message.key?.toString() ?? '',
        value: decoded.value as Json,
      });
    },
  });
  await joined;
  return { seen, stop: () => consumer.disconnect() };
}

export const shortId = (id: unknown): string => `${String(id).slice(0, 8)}…`;
export const euro = (cents: unknown): string =>
  `EUR ${(Number(cents) / 100).toLocaleString('nl-NL', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** Any value as text for the printed lines (objects as JSON, missing as ''). */
export const txt = (v: unknown): string =>
  v === null || v === undefined
    ? ''
    : typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint'
        ? v.toString()
        : JSON.stringify(v);

/**
 * Logius' MijnOverheid invoice as billing-reconciliation imports it (text/csv, one line per unit), priced with
 * the tariffs in force at the period's start (GET /tariffs; services/billing-reconciliation/config/tariffs.json).
 */
export function logiusInvoice(options: {
  tariffs: Json;
  invoiceNumber: string;
  payerOrganisationId: string;
  periodStart: string;
  periodEnd: string;
  counts: { DIGID_LOGIN: number; DATA_SHARING: number };
}): { csv: string; cents: { DIGID_LOGIN: number; DATA_SHARING: number }; totalCents: number } {
  const { tariffs, invoiceNumber, payerOrganisationId, periodStart, periodEnd, counts } = options;
  const price = (unit: string): number => {
    const rows = ((tariffs.tariffs ?? tariffs) as unknown as Json[]).filter(
      (t) => t.unit === unit && txt(t.validFrom) <= periodStart,
    );
    rows.sort((x, y) => txt(y.validFrom).localeCompare(txt(x.validFrom)));
    return Number(rows[0]?.unitPriceMillicents ?? 0);
  };
  const cents = {
    DIGID_LOGIN: Math.round((counts.DIGID_LOGIN * price('DIGID_LOGIN')) / 1000),
    DATA_SHARING: Math.round((counts.DATA_SHARING * price('DATA_SHARING')) / 1000),
  };
  const totalCents = cents.DIGID_LOGIN + cents.DATA_SHARING;
  const line = (unit: 'DIGID_LOGIN' | 'DATA_SHARING') =>
    `${invoiceNumber},LOGIUS,${payerOrganisationId},${periodStart},${periodEnd},EUR,${unit},${counts[unit]},${cents[unit]},${totalCents},`;
  const csv = [
    'invoiceNumber,issuer,payerOrganisationId,periodStart,periodEnd,currency,unit,count,amountCents,totalCents,creditsInvoiceNumber',
    line('DIGID_LOGIN'),
    line('DATA_SHARING'),
  ].join('\n');
  return { csv, cents, totalCents };
}
