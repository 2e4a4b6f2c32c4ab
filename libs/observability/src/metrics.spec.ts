import { metrics } from '@opentelemetry/api';
import { prometheusText, startMetrics, stopMetrics } from './metrics';

describe('metrics through OpenTelemetry in the Prometheus format', () => {
  afterEach(() => stopMetrics());

  it('exports counters and observable gauges created through the OpenTelemetry API', async () => {
    startMetrics('metrics-spec');
    const meter = metrics.getMeter('@divit/metrics-spec');
    meter.createCounter('divit_spec_things_total', { description: 'Things counted' }).add(3, { kind: 'a' });
    meter
      .createObservableGauge('divit_spec_backlog', { description: 'Backlog now' })
      .addCallback((result) => result.observe(7));

    const text = await prometheusText();
    expect(text).toMatch(/# HELP divit_spec_things_total Things counted/);
    expect(text).toMatch(/divit_spec_things_total\{[^}]*kind="a"[^}]*\} 3/);
    expect(text).toMatch(/# TYPE divit_spec_backlog gauge/);
    expect(text).toMatch(/divit_spec_backlog(\{[^}]*\})? 7/);
  });

  it('is empty, not an error, before metrics are started', async () => {
    await expect(prometheusText()).resolves.toBe('');
  });
});
