import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { createLogger } from '@divit/observability';
import { isPlatformOperator } from '@divit/service-kit';
import type { AuthOutcome, AuthOutcomeSink, Principal } from '@divit/service-kit';
import { AccessLogEntryEntity, ChangedValue } from './access-log.entity';
import { currentRequestOrigin, RequestOrigin } from './request-origin';
import { sanitizeChangedValues, sanitizeFieldNames, sanitizeRoles, sanitizeText } from './sanitize';
import type { AccessLogEntry, AccessLogPage } from './access-log.views';

export type { AccessLogEntry, AccessLogPage };

/** What a service records for one read, export or change of data. */
export interface AccessEntryInput {
  /** Who: subject, organisation acted for, roles (as an array). */
  principal: Pick<Principal, 'subject' | 'organisationId' | 'roles'>;
  /** What, in the service's words (e.g. REGISTRATION_READ, STATEMENT_PDF_EXPORTED). */
  action: string;
  /** The kind of resource (e.g. registration, allocation, reconciliation) and its id. */
  resourceType?: string | null;
  resourceId?: string | null;
  /** The organisation whose data it is (uuid), when known. */
  organisationId?: string | null;
  /** Scope for retention and erasure, when the data belongs to a registration or allocation. */
  registrationId?: string | null;
  allocationId?: string | null;
  /** Why (e.g. ALLOCATION, AUDIT, MIGRATION). */
  purpose?: string | null;
  /** The NAMES of the fields a change touched. */
  changedFields?: readonly string[];
  /**
   * Before and after of those changed fields that are NOT personal (a status, an outcome, a retention period, a
   * route), keyed by field name; each key must be in `changedFields`. Never pass a name, date of birth, address,
   * contact detail, income or identifier of a person here: leave such a field out, its name is enough.
   */
  changedValues?: Readonly<Record<string, ChangedValue>>;
  /** Defaults to the current request's origin (set by AccessLogModule's middleware). */
  origin?: RequestOrigin;
}

/** One login event of the identity provider, for {@link AccessLogService.identityProviderLogin}. */
export interface IdentityProviderLogin {
  /** The provider's event id (unique; the entry's dedupe key is derived from it). */
  eventId: string;
  occurredAt: Date;
  failed: boolean;
  /**
   * What the event was: a login (default, LOGIN_SUCCEEDED or LOGIN_FAILED) or the person's acceptance of the notice
   * that actions are logged (NOTICE_ACCEPTED, docs/adr/0034).
   */
  event?: 'LOGIN' | 'NOTICE_ACCEPTED';
  /** Why it failed, UPPER_SNAKE (the provider's error code). */
  reason?: string | null;
  /** The provider's user id (`sub`), when the login named a known user. */
  subject: string | null;
  organisationId: string | null;
  /** The OAuth client the login was for. */
  clientId: string | null;
  ip: string | null;
}

export interface AccessLogQuery {
  subject?: string;
  /** Entries by or about this organisation. */
  organisationId?: string;
  resourceType?: string;
  resourceId?: string;
  registrationId?: string;
  allocationId?: string;
  action?: string;
  kind?: 'ACCESS' | 'AUTHENTICATION';
  /** occurred at or after (inclusive) … before (exclusive). */
  from?: string;
  to?: string;
  /** Page size (1 … 500). */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

/**
 * Whose entries a non-operator reads besides its own organisation's: as a route B/C coordinator, those by or about
 * the organisations it coordinates and their current members (ADR 0018), except entries about resource types the
 * service keeps from coordinators (income-retrieval: `income-statement`, members' income evidence).
 */
export interface AccessLogReaderScope {
  /** The caller's visible organisations (own included), e.g. `OrganisationScope.visibleOrganisationIds`. */
  organisations: readonly string[];
  /** Resource types read only by the data's own organisation (and the platform operator). */
  withheldResourceTypes?: readonly string[];
}

export const ACCESS_LOG_MAX_PAGE = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const asUuid = (v: string | null | undefined): string | null => (v && UUID.test(v) ? v : null);

/**
 * The one write API (`record`, `authenticationOutcome`) and the one query API (`query`) of the access log.
 * Accepted tokens are recorded once per token per clock hour (dedupe key = SHA-256 of the token reference and the
 * hour; an in-process cache saves the database round trip for repeats); every rejected token is recorded.
 */
@Injectable()
export class AccessLogService implements AuthOutcomeSink {
  private readonly logger = createLogger('AccessLog');
  private readonly seenTokens = new Map<string, true>();

  constructor(private readonly dataSource: DataSource) {}

  /** Records one read, export or change; pass the transaction's manager to record it with the change. */
  async record(input: AccessEntryInput, em: EntityManager = this.dataSource.manager): Promise<void> {
    const origin = input.origin ?? currentRequestOrigin();
    const changedFields = sanitizeFieldNames(input.changedFields);
    await em.insert(AccessLogEntryEntity, {
      kind: 'ACCESS',
      subject: sanitizeText(input.principal.subject, 200),
      subjectOrganisationId: sanitizeText(input.principal.organisationId, 64),
      roles: sanitizeRoles(input.principal.roles),
      action: requireAction(input.action),
      outcomeReason: null,
      resourceType: sanitizeText(input.resourceType, 40),
      resourceId: sanitizeText(input.resourceId, 200),
      organisationId: asUuid(input.organisationId),
      registrationId: asUuid(input.registrationId),
      allocationId: asUuid(input.allocationId),
      purpose: sanitizeText(input.purpose, 30),
      changedFields,
      changedValues: sanitizeChangedValues(input.changedValues, changedFields),
      ip: sanitizeText(origin.ip, 64),
      userAgent: sanitizeText(origin.userAgent, 300),
      dedupeKey: null,
    });
  }

  /** The auth guard's sink: accepted tokens once per token and hour, every rejected token with its reason. */
  async authenticationOutcome(outcome: AuthOutcome, now = new Date()): Promise<void> {
    let dedupeKey: string | null = null;
    if (outcome.outcome === 'ACCEPTED') {
      const hour = now.toISOString().slice(0, 13);
      dedupeKey = createHash('sha256').update(`${outcome.tokenRef}|${hour}`).digest('base64url');
      if (this.seenTokens.has(dedupeKey)) return;
    }
    const orgId = outcome.organisationId;
    try {
      await this.dataSource
        .createQueryBuilder()
        .insert()
        .into(AccessLogEntryEntity)
        .values({
          kind: 'AUTHENTICATION',
          subject: sanitizeText(outcome.subject, 200),
          subjectOrganisationId: sanitizeText(orgId, 64),
          roles: sanitizeRoles(outcome.roles),
          action: outcome.outcome === 'ACCEPTED' ? 'TOKEN_ACCEPTED' : 'TOKEN_REJECTED',
          outcomeReason: outcome.outcome === 'REJECTED' ? outcome.reason : null,
          organisationId: asUuid(orgId),
          changedFields: [],
          changedValues: {},
          ip: sanitizeText(outcome.ip, 64),
          userAgent: sanitizeText(outcome.userAgent, 300),
          dedupeKey,
        })
        .orIgnore()
        .execute();
    } catch (error) {
      this.logger.error('access log: authentication outcome not recorded', {
        outcome: outcome.outcome,
        error: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
    if (dedupeKey) {
      if (this.seenTokens.size >= 10_000) this.seenTokens.clear();
      this.seenTokens.set(dedupeKey, true);
    }
  }

  /**
   * A login at the identity provider (docs/adr/0030), read from its events: LOGIN_SUCCEEDED or LOGIN_FAILED with the
   * provider's reason (e.g. INVALID_USER_CREDENTIALS), at the event's own time and IP. Recorded once per event id
   * (dedupe key), so reading the same events again adds nothing. Never the username typed or any credential.
   * The acceptance of the logging notice at a first login is recorded the same way, as NOTICE_ACCEPTED.
   */
  async identityProviderLogin(login: IdentityProviderLogin): Promise<boolean> {
    const dedupeKey = createHash('sha256').update(`idp-event|${login.eventId}`).digest('base64url');
    const result = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(AccessLogEntryEntity)
      .values({
        occurredAt: login.occurredAt,
        kind: 'AUTHENTICATION',
        subject: sanitizeText(login.subject, 200),
        subjectOrganisationId: sanitizeText(login.organisationId, 64),
        roles: [],
        action:
          login.event === 'NOTICE_ACCEPTED'
            ? 'NOTICE_ACCEPTED'
            : login.failed
              ? 'LOGIN_FAILED'
              : 'LOGIN_SUCCEEDED',
        outcomeReason:
          login.failed && login.event !== 'NOTICE_ACCEPTED'
            ? (sanitizeText(login.reason ?? 'UNKNOWN', 40) ?? 'UNKNOWN')
            : null,
        resourceType: 'identity-provider-client',
        resourceId: sanitizeText(login.clientId, 200),
        organisationId: asUuid(login.organisationId),
        changedFields: [],
        ip: sanitizeText(login.ip, 64),
        userAgent: null,
        dedupeKey,
      })
      .orIgnore()
      .execute();
    return Array.isArray(result.raw) && result.raw.length > 0;
  }

  /**
   * Auditors' query, tenancy-checked (docs/adr/0014): the platform operator reads every entry; AUTHENTICATION
   * entries only the platform operator and auditors (docs/adr/0030); anyone else only
   * entries by their own organisation (`subject_organisation_id`) or about its data (`organisation_id`) and, with
   * a `reader` scope, by or about the organisations it coordinates (ADR 0018). Newest first, paged by an opaque
   * cursor.
   */
  async query(
    principal: Pick<Principal, 'roles' | 'organisationId'>,
    q: AccessLogQuery,
    reader?: AccessLogReaderScope,
  ): Promise<AccessLogPage> {
    const limit = Math.min(Math.max(Math.trunc(q.limit ?? 100), 1), ACCESS_LOG_MAX_PAGE);
    const qb = this.dataSource.getRepository(AccessLogEntryEntity).createQueryBuilder('e');
    // Authentication entries (logins, token outcomes: who signed in when, from which IP) are for auditors (and the
    // platform operator) only; an admin reads the organisation's ACCESS entries (docs/adr/0030).
    if (!isPlatformOperator(principal) && !principal.roles.includes('auditor'))
      qb.andWhere(`e.kind <> 'AUTHENTICATION'`);
    if (!isPlatformOperator(principal)) {
      const own = principal.organisationId;
      // Organisation ids are stored as given (the subject's) or as uuids (lower case): both spellings match.
      const others = (reader?.organisations ?? [])
        .map((o) => o.toLowerCase())
        .filter((o) => o !== own.toLowerCase());
      const visible = [...new Set([own, own.toLowerCase(), ...others])];
      qb.andWhere('(e.organisation_id::text = ANY(:visible) OR e.subject_organisation_id = ANY(:visible))', {
        visible,
      });
      const withheld = reader?.withheldResourceTypes ?? [];
      if (others.length > 0 && withheld.length > 0)
        qb.andWhere(
          `(COALESCE(e.resource_type, '') <> ALL(:withheld)
            OR e.organisation_id::text = ANY(:own) OR e.subject_organisation_id = ANY(:own))`,
          { withheld, own: [own, own.toLowerCase()] },
        );
    }
    if (q.organisationId)
      qb.andWhere('(e.organisation_id::text = :org OR e.subject_organisation_id = :org)', {
        org: q.organisationId,
      });
    if (q.subject) qb.andWhere('e.subject = :subject', { subject: q.subject });
    if (q.resourceType) qb.andWhere('e.resource_type = :resourceType', { resourceType: q.resourceType });
    if (q.resourceId) qb.andWhere('e.resource_id = :resourceId', { resourceId: q.resourceId });
    if (q.registrationId)
      qb.andWhere('e.registration_id = :registrationId', { registrationId: q.registrationId });
    if (q.allocationId) qb.andWhere('e.allocation_id = :allocationId', { allocationId: q.allocationId });
    if (q.action) qb.andWhere('e.action = :action', { action: q.action });
    if (q.kind) qb.andWhere('e.kind = :kind', { kind: q.kind });
    if (q.from) qb.andWhere('e.occurred_at >= :from', { from: new Date(q.from) });
    if (q.to) qb.andWhere('e.occurred_at < :to', { to: new Date(q.to) });
    if (q.cursor) qb.andWhere('e.id < :cursor', { cursor: decodeCursor(q.cursor) });
    const rows = await qb
      .orderBy('e.id', 'DESC')
      .take(limit + 1)
      .getMany();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      entries: page.map(toEntry),
      nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null,
    };
  }

  /**
   * Every entry about one resource, oldest first, for a service's per-resource audit view (e.g.
   * `GET /registrations/:id/access-log`). No tenancy filter here: the service has already answered 404 unless the
   * caller may see that resource, and then sees all of its entries (also other organisations' reads of it).
   * Bounded by the page size.
   */
  async entriesOf(
    filter: Pick<AccessLogQuery, 'registrationId' | 'allocationId' | 'resourceType' | 'resourceId'>,
  ): Promise<AccessLogEntry[]> {
    if (!filter.registrationId && !filter.allocationId && !filter.resourceId)
      throw new Error('entriesOf needs a registration, an allocation or a resource id');
    const page = await this.query(
      { roles: ['platform-operator'], organisationId: 'platform' },
      {
        ...filter,
        kind: 'ACCESS',
        limit: ACCESS_LOG_MAX_PAGE,
      },
    );
    return page.entries.reverse();
  }
}

function requireAction(action: string): string {
  const clean = sanitizeText(action, 60);
  if (!clean || !/^[A-Z][A-Z0-9_]*$/.test(clean))
    throw new Error(`access log action must be UPPER_SNAKE, got ${action}`);
  return clean;
}

export class InvalidCursorError extends Error {}

export function encodeCursor(id: string): string {
  return Buffer.from(`v1:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^v1:([0-9]{1,19})$/.exec(raw);
  if (!m?.[1]) throw new InvalidCursorError('invalid cursor');
  return m[1];
}

function toEntry(r: AccessLogEntryEntity): AccessLogEntry {
  return {
    id: String(r.id),
    occurredAt: r.occurredAt.toISOString(),
    kind: r.kind,
    subject: r.subject,
    subjectOrganisationId: r.subjectOrganisationId,
    roles: r.roles,
    action: r.action,
    outcomeReason: r.outcomeReason,
    resourceType: r.resourceType,
    resourceId: r.resourceId,
    organisationId: r.organisationId,
    registrationId: r.registrationId,
    allocationId: r.allocationId,
    purpose: r.purpose,
    changedFields: r.changedFields,
    changedValues: r.changedValues ?? {},
    ip: r.ip,
    userAgent: r.userAgent,
  };
}
