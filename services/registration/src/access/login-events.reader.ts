import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccessLogService } from '@divit/access-log';
import { createLogger } from '@divit/observability';
import { PeriodicTask } from '@divit/persistence';
import { RegistrationConfig } from '../config/registration.config';
import { REGISTRATION_CONFIG } from '../config/registration.tokens';
import { IdentityProvider } from './identity-provider';
import { AccessRepository } from './access.repository';

/** How far back the first read goes, and how much each read overlaps the previous one (events arrive late). */
const FIRST_READ_MS = 24 * 3600_000;
const OVERLAP_MS = 5 * 60_000;

/**
 * Issue 15 item 4 (docs/adr/0030): the identity provider's login events (successful and failed logins of people and
 * systems, with time, IP and the provider's reason; and the acceptance of the logging notice, docs/adr/0034) into
 * registration's access log, every LOGIN_EVENTS_INTERVAL_MS,
 * once across replicas (PeriodicTask). Each event is recorded once (dedupe key from its id); a named user's
 * successful login also becomes its `last_login_at` (the access review report). Keycloak keeps events only when the
 * realm has them enabled (deploy/keycloak/divit-realm.json: eventsEnabled, with an expiration).
 */
@Injectable()
export class LoginEventsReader implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = createLogger('LoginEvents');
  private task: PeriodicTask<number> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly idp: IdentityProvider,
    private readonly accessLog: AccessLogService,
    private readonly repo: AccessRepository,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.idp.configured || this.config.LOGIN_EVENTS_INTERVAL_MS <= 0) return;
    this.task = new PeriodicTask({
      dataSource: this.dataSource,
      name: 'registration.login-events',
      intervalMs: this.config.LOGIN_EVENTS_INTERVAL_MS,
      run: () => this.readOnce(),
      onError: (error) => this.logger.error('login events not read', error),
    });
    this.task.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    const task = this.task;
    this.task = undefined;
    await task?.stop();
  }

  /** Reads the events since the last one recorded (with an overlap); answers how many were new. */
  async readOnce(now = Date.now()): Promise<number> {
    const last = await this.repo.lastLoginEventAt();
    const since = last ? last.getTime() - OVERLAP_MS : now - FIRST_READ_MS;
    const events = await this.idp.loginEvents(since);
    const userIds = [...new Set(events.map((e) => e.userId).filter((u): u is string => !!u))];
    const known = await this.repo.organisationsOfIdpUsers(userIds);
    let recorded = 0;
    for (const e of events) {
      // Of the required actions completed, only the logging notice's acceptance (docs/adr/0034) is recorded.
      const notice = e.type === 'CUSTOM_REQUIRED_ACTION';
      if (notice && e.requiredAction !== 'TERMS_AND_CONDITIONS') continue;
      const failed = e.type.endsWith('_ERROR');
      const organisationId = e.userId ? (known.get(e.userId) ?? null) : null;
      const added = await this.accessLog.identityProviderLogin({
        eventId: e.id,
        occurredAt: new Date(e.time),
        failed,
        event: notice ? 'NOTICE_ACCEPTED' : 'LOGIN',
        reason: failed ? (e.error ?? 'UNKNOWN').toUpperCase().replace(/[^A-Z0-9]+/g, '_') : null,
        subject: e.userId,
        organisationId,
        clientId: e.clientId,
        ip: e.ipAddress,
      });
      if (added) recorded++;
      if (!failed && !notice && e.userId && organisationId)
        await this.repo.recordLogin(e.userId, new Date(e.time));
    }
    if (recorded > 0) this.logger.info('login events recorded', { recorded });
    return recorded;
  }
}
