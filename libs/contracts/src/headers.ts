// Kafka header names every event carries (CloudEvents 1.0 Kafka protocol binding, binary mode, plus W3C
// trace context). The producer in @divit/messaging writes them; docs/asyncapi.yaml documents them.

export const CloudEventsHeaders = {
  /** Unique event id (uuid); consumers deduplicate on it (processed-message table keyed by event id). */
  id: 'ce_id',
  /** Event type: the Avro full name of the value's record, e.g. `nl.divit.registration.OrganisationRegistered`. */
  type: 'ce_type',
  /** URI reference of the producing service, e.g. `/divit/registration`. */
  source: 'ce_source',
  /** When the event occurred (RFC 3339 timestamp, UTC). */
  time: 'ce_time',
  /** CloudEvents specification version: always `1.0`. */
  specversion: 'ce_specversion',
  /** Media type of the value (CloudEvents `datacontenttype`): `application/avro`, Confluent wire format. */
  contentType: 'content-type',
  /** Optional: the subject of the event within the source (CloudEvents `subject`), e.g. an aggregate id. */
  subject: 'ce_subject',
} as const;

export type CloudEventsHeaderName = (typeof CloudEventsHeaders)[keyof typeof CloudEventsHeaders];

export const CLOUDEVENTS_SPEC_VERSION = '1.0';

/** W3C Trace Context headers that carry the producer's span to the consumer (`tracestate` is optional). */
export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';
