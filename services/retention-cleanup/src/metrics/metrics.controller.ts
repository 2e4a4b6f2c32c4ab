import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '@divit/service-kit';
import { MetricsService } from './metrics.service';

/**
 * Prometheus scrape endpoint. Public on purpose (scrapers carry no bearer token): it exposes counts only,
 * no ids or personal data. Restrict it at the network edge if needed.
 */
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.prometheus();
  }
}
