import { metrics } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/**
 * Metrics through OpenTelemetry, read in the Prometheus text format.
 *
 * `startMetrics()` registers the process's global MeterProvider with a pull-based Prometheus reader (no port
 * of its own: the service serves it on GET /metrics). Instruments created with `metrics.getMeter(...)` from
 * `@opentelemetry/api` anywhere in the process (messaging, HTTP, retention gauges) are exported by it. Call it
 * before instruments are created: first thing in main.ts (startTelemetry does) and in test harnesses.
 */
interface MetricsState {
  provider: MeterProvider;
  exporter: PrometheusExporter;
  serializer: PrometheusSerializer;
}

let state: MetricsState | undefined;

export function startMetrics(serviceName = 'divit'): void {
  if (state) return;
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    readers: [exporter],
  });
  metrics.setGlobalMeterProvider(provider);
  state = {
    provider,
    exporter,
    serializer: new PrometheusSerializer(undefined, false, undefined, false, true),
  };
}

/** The current metrics in the Prometheus text exposition format (empty when metrics were not started). */
export async function prometheusText(): Promise<string> {
  if (!state) return '';
  const { resourceMetrics } = await state.exporter.collect();
  return state.serializer.serialize(resourceMetrics);
}

export async function stopMetrics(): Promise<void> {
  const current = state;
  state = undefined;
  metrics.disable();
  await current?.provider.shutdown();
}
