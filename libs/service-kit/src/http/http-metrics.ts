import { Counter, Histogram, metrics } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The parts of an Express request the labels read (`route` is set once a route matched). */
type Request = IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };

/** OpenTelemetry instrument names (meter `@divit/service-kit`), served on GET /metrics. */
export const HTTP_METRICS = {
  requests: 'divit_http_server_requests_total',
  duration: 'divit_http_server_request_duration_seconds',
} as const;

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Seconds; from 5 ms (a health check) to 60 s (a large import). */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The labels of one request: the route TEMPLATE Express matched (`/reconciliations/:id/statements`, never the
 * path with its ids), `(unmatched)` when no route did (404s, and answers a platform guard gave before routing:
 * 413, 429), the method (`OTHER` for unknown ones) and the status class (`2xx` … `5xx`). Bounded cardinality.
 */
export function requestLabels(req: Request, statusCode: number): Record<string, string> {
  const route = req.route?.path;
  return {
    method: req.method && METHODS.has(req.method) ? req.method : 'OTHER',
    route: typeof route === 'string' ? `${req.baseUrl ?? ''}${route}` : '(unmatched)',
    status_class: statusCode >= 100 && statusCode < 600 ? `${Math.floor(statusCode / 100)}xx` : 'other',
  };
}

/** Express middleware counting and timing every request (first in the chain, so refusals count too). */
export function httpMetrics(): (req: Request, res: ServerResponse, next: () => void) => void {
  let instruments: { requests: Counter; duration: Histogram } | undefined;
  const get = () => {
    if (instruments) return instruments;
    const meter = metrics.getMeter('@divit/service-kit');
    instruments = {
      requests: meter.createCounter(HTTP_METRICS.requests, {
        description: 'HTTP requests answered, by method, route template and status class',
        unit: '{request}',
      }),
      duration: meter.createHistogram(HTTP_METRICS.duration, {
        description:
          'HTTP request duration until the response is finished, by method, route template and status class',
        unit: 's',
        advice: { explicitBucketBoundaries: BUCKETS },
      }),
    };
    return instruments;
  };
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      const labels = requestLabels(req, res.statusCode);
      const { requests, duration } = get();
      requests.add(1, labels);
      duration.record(Number(process.hrtime.bigint() - started) / 1e9, labels);
    };
    res.once('finish', record);
    res.once('close', record); // a connection closed before the response finished still counts
    next();
  };
}
