/**
 * Small helpers for the demonstration (and the fault tier): typed HTTP clients of the six services
 * (libs/api-clients), tokens from the local development issuer (tools/dev-auth.js), polling without fixed
 * sleeps, and an allocator's/finance system's consumer.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { serviceClient, type ServiceClient, type ServicePaths } from '@divit/api-clients';
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

/** The six services' typed clients (libs/api-clients), acting with one token; `null` sends no authorization. */
export type Clients = { [S in Service]: ServiceClient<S> };
export function clientsFor(token: string | (() => string) | null): Clients {
  const options = token === null ? {} : { token: typeof token === 'function' ? token : () => token };
  return {
    registration: serviceClient('registration', SERVICE_URLS.registration, options),
    consent: serviceClient('consent', SERVICE_URLS.consent, options),
    'identity-validation': serviceClient('identity-validation', SERVICE_URLS['identity-validation'], options),
    'income-retrieval': serviceClient('income-retrieval', SERVICE_URLS['income-retrieval'], options),
    'billing-reconciliation': serviceClient(
      'billing-reconciliation',
      SERVICE_URLS['billing-reconciliation'],
      options,
    ),
    'retention-cleanup': serviceClient('retention-cleanup', SERVICE_URLS['retention-cleanup'], options),
  };
}

/** Request bodies the demonstration and the fault tier build in steps (typed from the documents). */
/** A consent text as POST /consent-texts takes it (docs/openapi/consent.json). */
export type ConsentTextInput = NonNullable<
  ServicePaths['consent']['/consent-texts']['post']['requestBody']
>['content']['application/json'];
/** A registration as POST /registrations takes it (docs/openapi/registration.json). */
export type RegistrationInput = NonNullable<
  ServicePaths['registration']['/registrations']['post']['requestBody']
>['content']['application/json'];
/** An allocation as POST /allocations takes it (docs/openapi/registration.json). */
export type AllocationInput = NonNullable<
  ServicePaths['registration']['/allocations']['post']['requestBody']
>['content']['application/json'];
/** An organisation as POST /organisations takes it (docs/openapi/registration.json). */
export type OrganisationInput = NonNullable<
  ServicePaths['registration']['/organisations']['post']['requestBody']
>['content']['application/json'];

/** What an openapi-fetch call resolves to: the parsed body of a success, or the service's problem. */
export interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** A text/csv request body as is (openapi-fetch sends JSON by default). */
export const csvBody = {
  headers: { 'content-type': 'text/csv' },
  bodySerializer: (csv: unknown): unknown => csv,
} as const;

/** Fails the demonstration (exit 1) when a step does not answer as expected; returns the body otherwise. */
export function expectStatus<T>(label: string, answer: Answer<T>, status: number): T {
  const { data, error, response } = answer;
  if (response.status !== status)
    throw new Error(
      `${label}: expected HTTP ${status}, got ${response.status} ${txt(error ?? data).slice(0, 400)}`,
    );
  // The status is the expected success, so openapi-fetch parsed the body into `data` (undefined only for an
  // empty body, which no step the demonstration checks this way answers).
  return data as T;
}

/** Repeats a request while it answers a retryable 409/503 (an event the service waits for is still on its way). */
export function untilNot409<A extends { response: Response }>(
  request: () => Promise<A>,
  timeoutMs = 30_000,
): Promise<A> {
  return eventually(request, {
    description: 'an answer other than 409 or 503',
    until: (answer) => answer.response.status !== 409 && answer.response.status !== 503,
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
  tariffs: readonly { unit: string; validFrom: string; unitPriceMillicents: number }[];
  invoiceNumber: string;
  payerOrganisationId: string;
  periodStart: string;
  periodEnd: string;
  counts: { DIGID_LOGIN: number; DATA_SHARING: number };
}): { csv: string; cents: { DIGID_LOGIN: number; DATA_SHARING: number }; totalCents: number } {
  const { tariffs, invoiceNumber, payerOrganisationId, periodStart, periodEnd, counts } = options;
  const price = (unit: string): number => {
    const rows = tariffs.filter((t) => t.unit === unit && t.validFrom <= periodStart);
    rows.sort((x, y) => y.validFrom.localeCompare(x.validFrom));
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
