import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { startMetrics, stopMetrics } from './metrics';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion?: string;
  /** OTLP/HTTP base endpoint, e.g. http://collector:4318. Without it spans are created (ids in logs) but not exported. */
  otlpEndpoint?: string;
  disabled?: boolean;
}

let sdk: NodeSDK | undefined;

/**
 * Starts the OpenTelemetry Node SDK. Call it first in main.ts, before Nest, kafkajs or pg are loaded,
 * so their instrumentations can patch them.
 */
export function startTelemetry(options: TelemetryOptions): void {
  // Metrics are read locally on GET /metrics, so they run even when trace export is disabled.
  startMetrics(options.serviceName);
  if (options.disabled || sdk) return;
  sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      [ATTR_SERVICE_VERSION]: options.serviceVersion ?? '0.0.0',
    }),
    ...(options.otlpEndpoint
      ? {
          traceExporter: new OTLPTraceExporter({
            url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces`,
          }),
        }
      : {}),
    // Kafka spans come from @divit/messaging, not @opentelemetry/instrumentation-kafkajs: that
    // instrumentation re-injects `traceparent` at send time, which would replace the context stored with
    // each outbox row (the request that caused the event) by the relay's own (ADR 0003).
    // Database queries appear in traces as spans with the SQL text; parameter values are never recorded
    // (enhancedDatabaseReporting off), since they may be personal data.
    instrumentations: [
      new HttpInstrumentation(),
      new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
    ],
  });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  const current = sdk;
  sdk = undefined;
  await current?.shutdown();
  await stopMetrics();
}
