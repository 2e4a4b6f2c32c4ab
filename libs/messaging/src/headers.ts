import { context, propagation, ROOT_CONTEXT, Context } from '@opentelemetry/api';
import { IHeaders } from 'kafkajs';
import { CLOUDEVENTS_SPEC_VERSION, CloudEventsHeaders } from '@divit/contracts';

/**
 * CloudEvents Kafka protocol binding (binary mode): attributes as `ce_*` headers, the data is the
 * Avro value. Plus W3C trace context (`traceparent`, `tracestate`). Header names are defined once, in
 * @divit/contracts (documented in docs/asyncapi.yaml).
 */
export const CE = CloudEventsHeaders;

export const AVRO_CONTENT_TYPE = 'application/avro';

export type StringHeaders = Record<string, string>;

export function cloudEventHeaders(input: {
  id: string;
  type: string;
  source: string;
  time: Date;
  subject?: string;
}): StringHeaders {
  return {
    [CE.id]: input.id,
    [CE.type]: input.type,
    [CE.source]: input.source,
    [CE.time]: input.time.toISOString(),
    [CE.specversion]: CLOUDEVENTS_SPEC_VERSION,
    [CE.contentType]: AVRO_CONTENT_TYPE,
    ...(input.subject ? { [CE.subject]: input.subject } : {}),
  };
}

/** The active trace context as W3C headers (empty when there is no active span). */
export function currentTraceHeaders(ctx: Context = context.active()): StringHeaders {
  const carrier: StringHeaders = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

export function extractTraceContext(headers: StringHeaders): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}

export function headersToStrings(headers: IHeaders | undefined): StringHeaders {
  const out: StringHeaders = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}
