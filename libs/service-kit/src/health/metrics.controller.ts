import { Controller, Get, Header } from '@nestjs/common';
import { prometheusText } from '@divit/observability';
import { Public } from '../auth/auth.decorators';
import { ApiFileResult } from '../openapi/api-decorators';

/**
 * Prometheus scrape endpoint of every service: the process's OpenTelemetry metrics (messaging consumers and
 * dead letters, the relay, HTTP server durations, each service's own gauges) in the text format. Public on
 * purpose (scrapers carry no bearer token): it holds counts and group/topic names only, no ids or personal
 * data. Restrict it at the network edge if needed.
 */
@Public()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiFileResult('text/plain', { description: 'Prometheus text exposition format 0.0.4 (counts only).' })
  scrape(): Promise<string> {
    return prometheusText();
  }
}
