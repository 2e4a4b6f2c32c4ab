import { AccessLogEntryEntity } from './access-log.entity';
import { CreateAccessLogEntries1765200000000 } from './migrations/1765200000000-create-access-log-entries';
import { AccessLogChangedValues1766200000000 } from './migrations/1766200000000-access-log-changed-values';
import { AccessLogLoginOutcomes1767000000001 } from './migrations/1767000000001-login-outcomes';

export * from './access-log.entity';
export * from './access-log.service';
export * from './access-log.controller';
export { accessLogEntryView, accessLogPageView } from './access-log.views';
export * from './access-log.module';
export * from './request-origin';
export * from './sanitize';
export * from './erase';
export {
  AccessLogChangedValues1766200000000,
  AccessLogLoginOutcomes1767000000001,
  CreateAccessLogEntries1765200000000,
};

/** Add to the service's entity list. */
export const accessLogEntities = [AccessLogEntryEntity];
/** Add to the service's migration list (after its own tables; its move-the-old-rows migration comes after). */
export const accessLogMigrations = [
  CreateAccessLogEntries1765200000000,
  AccessLogChangedValues1766200000000,
  AccessLogLoginOutcomes1767000000001,
];
export * from './audited-reads';
