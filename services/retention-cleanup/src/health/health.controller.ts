import { Controller, Get, HttpException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Public } from '@divit/service-kit';

@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  /** Liveness: the process answers. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the database answers and the schema is migrated. */
  @Get('ready')
  async ready(): Promise<{ status: 'ok'; pendingMigrations: false }> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      throw new HttpException('database not reachable', 503);
    }
    if (await this.dataSource.showMigrations()) throw new HttpException('migrations pending', 503);
    return { status: 'ok', pendingMigrations: false };
  }
}
