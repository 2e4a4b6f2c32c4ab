import { context, propagation, trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import {
  detectResources,
  envDetector,
  hostDetector,
  processDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { startMetrics, stopMetrics } from './metrics';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion?: string;
  /** OTLP/HTTP base endpoint, e.g. http://collector:4318. Without it spans are created (ids in logs) but not exported. */
  otlpEndpoint?: string;
  disabled?: boolean;
}

let provider: NodeTracerProvider | undefined;
let disableInstrumentations: (() => void) | undefined;

/**
 * Starts tracing. Call it first in main.ts, before Nest, kafkajs or pg are loaded, so their instrumentations
 * can patch them.
 *
 * The tracer provider is built here from its parts, not with `@opentelemetry/sdk-node`'s NodeSDK: NodeSDK
 * loads every exporter it could be configured with (gRPC, protobuf, Zipkin, logs; about 10 MiB of an idle
 * service, issue 18), and without a trace exporter it falls back to OTLP on localhost:4318 from the
 * environment, so a service without `OTEL_EXPORTER_OTLP_ENDPOINT` still encoded and posted every span to a
 * port where nothing listens. Here, without an endpoint, spans are created (their ids go into the logs and
 * into the outbox's `traceparent`) and go nowhere.
 *
 * What NodeSDK did that is kept: the resource (service name and version, plus `OTEL_RESOURCE_ATTRIBUTES`, the
 * host and the process), the sampler from `OTEL_TRACES_SAMPLER` (default parent-based, always on), the W3C
 * trace-context and baggage propagators, the AsyncLocalStorage context manager, batching of exported spans.
 */
export function startTelemetry(options: TelemetryOptions): void {
  // Metrics are read locally on GET /metrics, so they run even when trace export is disabled.
  startMetrics(options.serviceName);
  if (options.disabled || provider) return;
  provider = new NodeTracerProvider({
    resource: detectResources({ detectors: [envDetector, processDetector, hostDetector] }).merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: options.serviceName,
        [ATTR_SERVICE_VERSION]: options.serviceVersion ?? '0.0.0',
      }),
    ),
    spanProcessors: options.otlpEndpoint
      ? [
          new BatchSpanProcessor(
            new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces` }),
          ),
        ]
      : [],
  });
  provider.register();
  // Kafka spans come from @divit/messaging, not @opentelemetry/instrumentation-kafkajs: that
  // instrumentation re-injects `traceparent` at send time, which would replace the context stored with
  // each outbox row (the request that caused the event) by the relay's own (ADR 0003).
  // Database queries appear in traces as spans with the SQL text; parameter values are never recorded
  // (enhancedDatabaseReporting off), since they may be personal data.
  disableInstrumentations = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation(),
      new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
    ],
  });
}

export async function stopTelemetry(): Promise<void> {
  const current = provider;
  provider = undefined;
  disableInstrumentations?.();
  disableInstrumentations = undefined;
  await current?.shutdown();
  if (current) {
    // Unregister the globals register() set, so a later startTelemetry in the same process takes effect.
    trace.disable();
    context.disable();
    propagation.disable();
  }
  await stopMetrics();
}
