import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AccessLogService } from '@divit/access-log';
import type { AccessScope } from '@divit/service-kit';
import { isPlatformOperator, Principal, TenancyError } from '@divit/service-kit';
import { todayInAmsterdam } from '../common/calendar-date';
import { OrganisationError } from '../organisations/organisations.errors';
import { OrganisationScopeService } from '../organisations/organisation-scope.service';
import { AccessError } from './access.errors';
import { AccessEvents } from './access.events';
import {
  AccessStateView,
  ChangeUserDto,
  GRANTABLE_ROLES,
  InviteUserDto,
  NamedUserList,
  NamedUserView,
  STAFF_ROLES,
} from './dto/access.dto';
import { IdentityProvider } from './identity-provider';

export interface NamedUserRow {
  id: string;
  organisation_id: string;
  idp_user_id: string;
  username: string;
  email: string | null;
  roles: string[];
  status: 'ACTIVE' | 'SUSPENDED' | 'REMOVED';
  invited_at: Date;
  invited_by: string;
  suspended_at: Date | null;
  removed_at: Date | null;
  last_login_at: Date | null;
}

interface AccessStateRow {
  scope: AccessScope;
  scope_id: string;
  organisation_id: string;
  suspended_from: Date | null;
  tokens_issued_before: Date | null;
  agreement_ends_at: Date | null;
  reason: string;
  changed_at: Date;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Required actions at a named person's first login (docs/adr/0030): a password, the logging notice, OTP for staff. */
export function requiredActionsFor(roles: readonly string[]): string[] {
  const staff = roles.some((r) => (STAFF_ROLES as readonly string[]).includes(r));
  return ['UPDATE_PASSWORD', 'TERMS_AND_CONDITIONS', ...(staff ? ['CONFIGURE_TOTP'] : [])];
}

/**
 * Named users of an organisation (issue 15 item 2) and the access state of users, calling systems and whole
 * organisations (item 3), docs/adr/0030. Who may manage an organisation's users: the platform operator (any), the
 * organisation's own admin, and a coordinator for its own organisation and the route B/C organisations and members
 * it coordinates today. A read outside that answers 404 ORGANISATION_NOT_FOUND (existence does not leak), a write
 * 403 OUTSIDE_ORGANISATION. Every change is provisioned in the identity provider, recorded in the access log, and
 * published (the access state) through the outbox in the same transaction.
 */
@Injectable()
export class NamedUsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idp: IdentityProvider,
    private readonly scope: OrganisationScopeService,
    private readonly events: AccessEvents,
    private readonly accessLog: AccessLogService,
  ) {}

  /** Throws unless the caller may manage (write) or see (read) the users of `organisationId`. */
  async assertManages(
    principal: Principal,
    organisationId: string,
    mode: 'read' | 'write',
    tx: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    const exists = await tx.query<unknown[]>(`SELECT 1 FROM organisations WHERE id = $1`, [organisationId]);
    const allowed =
      isPlatformOperator(principal) ||
      (principal.roles.includes('admin') && principal.organisationId === organisationId) ||
      (mode === 'read' &&
        principal.roles.includes('auditor') &&
        principal.organisationId === organisationId) ||
      (principal.roles.includes('coordinator') &&
        (await this.scope.canSee(principal, organisationId, todayInAmsterdam(), tx)));
    if (exists.length > 0 && allowed) return;
    if (mode === 'read' || exists.length === 0)
      throw new OrganisationError('ORGANISATION_NOT_FOUND', 'No such organisation.');
    throw new TenancyError(
      'OUTSIDE_ORGANISATION',
      "This organisation is not yours: you may only manage your own organisation's users (or, as a coordinator, those of the organisations you coordinate).",
    );
  }

  private assertGrantable(principal: Principal, roles: readonly string[]): void {
    for (const role of roles) {
      if (!(GRANTABLE_ROLES as readonly string[]).includes(role))
        throw new AccessError('ROLE_NOT_GRANTABLE', `The role ${role} cannot be granted to a named user.`);
      if (role === 'admin' && !isPlatformOperator(principal) && !principal.roles.includes('admin'))
        throw new AccessError('ROLE_NOT_GRANTABLE', 'Only an admin may grant the admin role.');
    }
  }

  /** The organisation's cap on named users: an organisation's own policy row, else its kind's; null = no cap. */
  async capFor(
    organisationId: string,
    tx: EntityManager = this.dataSource.manager,
  ): Promise<{ maxUsers: number; source: string } | null> {
    const rows = await tx.query<{ max_users: number; source: string }[]>(
      `SELECT c.max_users, c.source FROM named_user_caps c, organisations o
        WHERE o.id = $1 AND (c.organisation_id = o.id OR c.organisation_kind = o.kind)
        ORDER BY (c.organisation_id IS NOT NULL) DESC LIMIT 1`,
      [organisationId],
    );
    const row = rows[0];
    return row ? { maxUsers: row.max_users, source: row.source } : null;
  }

  async list(principal: Principal, organisationId: string): Promise<NamedUserList> {
    await this.assertManages(principal, organisationId, 'read');
    const rows = await this.dataSource.query<NamedUserRow[]>(
      `SELECT * FROM named_users WHERE organisation_id = $1 ORDER BY status = 'REMOVED', username`,
      [organisationId],
    );
    await this.accessLog.record({
      principal,
      action: 'NAMED_USERS_LISTED',
      resourceType: 'organisation',
      resourceId: organisationId,
      organisationId,
      purpose: 'ACCESS_MANAGEMENT',
    });
    return { organisationId, cap: await this.capFor(organisationId), users: rows.map((r) => view(r)) };
  }

  async invite(principal: Principal, organisationId: string, input: InviteUserDto): Promise<NamedUserView> {
    this.assertGrantable(principal, input.roles);
    let createdIdpUser: string | undefined;
    try {
      return await this.dataSource.transaction(async (tx) => {
        // One invitation at a time per organisation, so two concurrent ones cannot both pass the cap.
        await tx.query(`SELECT id FROM organisations WHERE id = $1 FOR UPDATE`, [organisationId]);
        await this.assertManages(principal, organisationId, 'write', tx);
        const cap = await this.capFor(organisationId, tx);
        const [counted] = await tx.query<{ count: number }[]>(
          `SELECT count(*)::int AS count FROM named_users WHERE organisation_id = $1 AND status <> 'REMOVED'`,
          [organisationId],
        );
        const count = counted?.count ?? 0;
        if (cap && count >= cap.maxUsers)
          throw new AccessError(
            'NAMED_USER_CAP_REACHED',
            `This organisation already has ${count} named user(s), the most it may have (${cap.source}). Remove one first.`,
            { maxUsers: cap.maxUsers, namedUsers: count },
          );
        const taken = await tx.query<unknown[]>(
          `SELECT 1 FROM named_users WHERE lower(username) = $1 AND status <> 'REMOVED'`,
          [input.username],
        );
        if (taken.length > 0)
          throw new AccessError('USERNAME_TAKEN', `The username ${input.username} is taken.`);
        const requiredActions = requiredActionsFor(input.roles);
        createdIdpUser = await this.idp.createUser({
          username: input.username,
          email: input.email ?? null,
          firstName: input.firstName,
          lastName: input.lastName,
          organisationId,
          roles: input.roles,
          requiredActions,
        });
        const id = randomUUID();
        const now = new Date();
        await tx.query(
          `INSERT INTO named_users (id, organisation_id, idp_user_id, username, email, roles, status, invited_at,
                                    invited_by, changed_at)
           VALUES ($1, $2, $3, $4, $5, $6, 'ACTIVE', $7, $8, $7)`,
          [
            id,
            organisationId,
            createdIdpUser,
            input.username,
            input.email ?? null,
            input.roles,
            now,
            principal.subject,
          ],
        );
        await this.accessLog.record(
          {
            principal,
            action: 'NAMED_USER_INVITED',
            resourceType: 'named-user',
            resourceId: id,
            organisationId,
            purpose: 'ACCESS_MANAGEMENT',
            changedFields: ['username', 'email', 'roles'],
          },
          tx,
        );
        const row = await this.row(tx, organisationId, id);
        return { ...view(row), requiredActions };
      });
    } catch (error) {
      if (createdIdpUser) await this.idp.deleteUser(createdIdpUser).catch(() => undefined);
      throw error;
    }
  }

  async change(
    principal: Principal,
    organisationId: string,
    userId: string,
    input: ChangeUserDto,
  ): Promise<NamedUserView> {
    this.assertGrantable(principal, input.roles);
    return this.dataSource.transaction(async (tx) => {
      await this.assertManages(principal, organisationId, 'write', tx);
      const row = await this.row(tx, organisationId, userId, true);
      if (row.status === 'REMOVED') throw new AccessError('NAMED_USER_REMOVED', 'This user was removed.');
      // An admin role is taken away only by an admin (or the operator), as it is granted.
      if (row.roles.includes('admin') && !(input.roles as readonly string[]).includes('admin'))
        this.assertGrantable(principal, ['admin']);
      const now = new Date();
      await tx.query(
        `UPDATE named_users SET roles = $3, changed_at = $4 WHERE organisation_id = $1 AND id = $2`,
        [organisationId, userId, input.roles, now],
      );
      const dropped = row.roles.some((r) => !(input.roles as readonly string[]).includes(r));
      // Tokens issued with a role now taken away are refused; the user's next token carries the new roles.
      if (dropped)
        await this.setState(tx, principal, {
          scope: 'USER',
          scopeId: row.idp_user_id,
          organisationId,
          suspendedFrom: row.status === 'SUSPENDED' ? row.suspended_at : null,
          tokensIssuedBefore: now,
          reason: 'USER_ROLES_CHANGED',
          changedAt: now,
        });
      await this.accessLog.record(
        {
          principal,
          action: 'NAMED_USER_CHANGED',
          resourceType: 'named-user',
          resourceId: userId,
          organisationId,
          purpose: 'ACCESS_MANAGEMENT',
          changedFields: ['roles'],
        },
        tx,
      );
      await this.idp.setRoles(row.idp_user_id, input.roles, GRANTABLE_ROLES);
      return view(await this.row(tx, organisationId, userId));
    });
  }

  async suspendUser(principal: Principal, organisationId: string, userId: string): Promise<NamedUserView> {
    return this.dataSource.transaction(async (tx) => {
      await this.assertManages(principal, organisationId, 'write', tx);
      const row = await this.row(tx, organisationId, userId, true);
      if (row.status === 'REMOVED') throw new AccessError('NAMED_USER_REMOVED', 'This user was removed.');
      if (row.status === 'SUSPENDED') throw new AccessError('ALREADY_SUSPENDED', 'This user is suspended.');
      const now = new Date();
      await tx.query(
        `UPDATE named_users SET status = 'SUSPENDED', suspended_at = $3, changed_at = $3
          WHERE organisation_id = $1 AND id = $2`,
        [organisationId, userId, now],
      );
      await this.setState(tx, principal, {
        scope: 'USER',
        scopeId: row.idp_user_id,
        organisationId,
        suspendedFrom: now,
        tokensIssuedBefore: null,
        reason: 'USER_SUSPENDED',
        changedAt: now,
      });
      await this.logChange(tx, principal, 'NAMED_USER_SUSPENDED', organisationId, userId);
      await this.idp.setUserEnabled(row.idp_user_id, false);
      return view(await this.row(tx, organisationId, userId));
    });
  }

  async reinstateUser(principal: Principal, organisationId: string, userId: string): Promise<NamedUserView> {
    return this.dataSource.transaction(async (tx) => {
      await this.assertManages(principal, organisationId, 'write', tx);
      const row = await this.row(tx, organisationId, userId, true);
      if (row.status !== 'SUSPENDED') throw new AccessError('NOT_SUSPENDED', 'This user is not suspended.');
      const now = new Date();
      await tx.query(
        `UPDATE named_users SET status = 'ACTIVE', suspended_at = NULL, changed_at = $3
          WHERE organisation_id = $1 AND id = $2`,
        [organisationId, userId, now],
      );
      // Tokens issued before the suspension stay refused.
      await this.setState(tx, principal, {
        scope: 'USER',
        scopeId: row.idp_user_id,
        organisationId,
        suspendedFrom: null,
        tokensIssuedBefore: row.suspended_at ?? now,
        reason: 'USER_REINSTATED',
        changedAt: now,
      });
      await this.logChange(tx, principal, 'NAMED_USER_REINSTATED', organisationId, userId);
      await this.idp.setUserEnabled(row.idp_user_id, true);
      return view(await this.row(tx, organisationId, userId));
    });
  }

  /** Removes the user: deleted in the identity provider, kept here (REMOVED) for the review's history. */
  async remove(principal: Principal, organisationId: string, userId: string): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await this.assertManages(principal, organisationId, 'write', tx);
      const row = await this.row(tx, organisationId, userId, true);
      if (row.status === 'REMOVED') return;
      if (row.roles.includes('admin')) this.assertGrantable(principal, ['admin']);
      const now = new Date();
      await tx.query(
        `UPDATE named_users SET status = 'REMOVED', removed_at = $3, changed_at = $3
          WHERE organisation_id = $1 AND id = $2`,
        [organisationId, userId, now],
      );
      await this.setState(tx, principal, {
        scope: 'USER',
        scopeId: row.idp_user_id,
        organisationId,
        suspendedFrom: now,
        tokensIssuedBefore: null,
        reason: 'USER_REMOVED',
        changedAt: now,
      });
      await this.logChange(tx, principal, 'NAMED_USER_REMOVED', organisationId, userId);
      await this.idp.deleteUser(row.idp_user_id);
    });
  }

  /** Suspends a whole organisation (the platform operator): every token with its `org` is refused. */
  async suspendOrganisation(principal: Principal, organisationId: string): Promise<AccessStateView> {
    return this.dataSource.transaction(async (tx) => {
      await this.assertManages(principal, organisationId, 'write', tx);
      const held = await this.state(tx, 'ORGANISATION', organisationId);
      const now = new Date();
      if (held?.suspended_from && held.suspended_from <= now && held.reason === 'ORGANISATION_SUSPENDED')
        throw new AccessError('ALREADY_SUSPENDED', 'This organisation is suspended.');
      const view = await this.setState(tx, principal, {
        scope: 'ORGANISATION',
        scopeId: organisationId,
        organisationId,
        suspendedFrom: now,
        tokensIssuedBefore: held?.tokens_issued_before ?? null,
        agreementEndsAt: held?.agreement_ends_at ?? null,
        reason: 'ORGANISATION_SUSPENDED',
        changedAt: now,
      });
      await this.logChange(tx, principal, 'ORGANISATION_ACCESS_SUSPENDED', organisationId, null);
      return view;
    });
  }

  /** Lifts an organisation's suspension; tokens issued before it stay refused; a set agreement end stays. */
  async reinstateOrganisation(principal: Principal, organisationId: string): Promise<AccessStateView> {
    return this.dataSource.transaction(async (tx) => {
      await this.assertManages(principal, organisationId, 'write', tx);
      const held = await this.state(tx, 'ORGANISATION', organisationId);
      if (held?.reason !== 'ORGANISATION_SUSPENDED' || !held.suspended_from)
        throw new AccessError('NOT_SUSPENDED', 'This organisation is not suspended.');
      const now = new Date();
      const view = await this.setState(tx, principal, {
        scope: 'ORGANISATION',
        scopeId: organisationId,
        organisationId,
        suspendedFrom: held.agreement_ends_at,
        tokensIssuedBefore: held.suspended_from,
        agreementEndsAt: held.agreement_ends_at,
        reason: held.agreement_ends_at ? 'AGREEMENT_ENDS' : 'ORGANISATION_REINSTATED',
        changedAt: now,
      });
      await this.logChange(tx, principal, 'ORGANISATION_ACCESS_REINSTATED', organisationId, null);
      return view;
    });
  }

  /** The organisation's agreement ends at `endsAt`: from then on every token with its `org` is refused. */
  async setAgreementEnd(
    principal: Principal,
    organisationId: string,
    endsAt: Date,
  ): Promise<AccessStateView> {
    return this.dataSource.transaction(async (tx) => {
      await this.assertManages(principal, organisationId, 'write', tx);
      const held = await this.state(tx, 'ORGANISATION', organisationId);
      const now = new Date();
      const suspended = held?.reason === 'ORGANISATION_SUSPENDED' ? held.suspended_from : null;
      const view = await this.setState(tx, principal, {
        scope: 'ORGANISATION',
        scopeId: organisationId,
        organisationId,
        suspendedFrom: suspended && suspended < endsAt ? suspended : endsAt,
        tokensIssuedBefore: held?.tokens_issued_before ?? null,
        agreementEndsAt: endsAt,
        reason: suspended ? 'ORGANISATION_SUSPENDED' : 'AGREEMENT_ENDS',
        changedAt: now,
      });
      await this.logChange(tx, principal, 'ORGANISATION_AGREEMENT_END_SET', organisationId, null);
      return view;
    });
  }

  /** Suspends or reinstates a calling system (a client of the identity provider) of the organisation. */
  async setClientSuspended(
    principal: Principal,
    organisationId: string,
    clientId: string,
    suspended: boolean,
  ): Promise<AccessStateView> {
    return this.dataSource.transaction(async (tx) => {
      await this.assertManages(principal, organisationId, 'write', tx);
      const held = await this.state(tx, 'CLIENT', clientId);
      if (held && held.organisation_id !== organisationId)
        throw new AccessError('CLIENT_NOT_FOUND', 'No such client of this organisation.');
      if (suspended && held?.suspended_from)
        throw new AccessError('ALREADY_SUSPENDED', 'This client is suspended.');
      if (!suspended && !held?.suspended_from)
        throw new AccessError('NOT_SUSPENDED', 'This client is not suspended.');
      const now = new Date();
      const view = await this.setState(tx, principal, {
        scope: 'CLIENT',
        scopeId: clientId,
        organisationId,
        suspendedFrom: suspended ? now : null,
        tokensIssuedBefore: suspended ? null : (held?.suspended_from ?? now),
        reason: suspended ? 'CLIENT_SUSPENDED' : 'CLIENT_REINSTATED',
        changedAt: now,
      });
      await this.logChange(
        tx,
        principal,
        suspended ? 'CLIENT_ACCESS_SUSPENDED' : 'CLIENT_ACCESS_REINSTATED',
        organisationId,
        null,
      );
      if (!(await this.idp.setClientEnabled(clientId, !suspended)))
        throw new AccessError('CLIENT_NOT_FOUND', 'No such client of this organisation.');
      return view;
    });
  }

  async organisationAccess(organisationId: string): Promise<AccessStateView | null> {
    const row = await this.state(this.dataSource.manager, 'ORGANISATION', organisationId);
    return row ? stateView(row) : null;
  }

  private async logChange(
    tx: EntityManager,
    principal: Principal,
    action: string,
    organisationId: string,
    userId: string | null,
  ): Promise<void> {
    await this.accessLog.record(
      {
        principal,
        action,
        resourceType: userId ? 'named-user' : 'organisation',
        resourceId: userId ?? organisationId,
        organisationId,
        purpose: 'ACCESS_MANAGEMENT',
      },
      tx,
    );
  }

  private async state(
    tx: EntityManager,
    scope: AccessScope,
    scopeId: string,
  ): Promise<AccessStateRow | null> {
    const rows = await tx.query<AccessStateRow[]>(
      `SELECT * FROM access_states WHERE scope = $1 AND scope_id = $2 FOR UPDATE`,
      [scope, scopeId],
    );
    return rows[0] ?? null;
  }

  /** Stores the access state and publishes it (outbox, same transaction). */
  private async setState(
    tx: EntityManager,
    principal: Principal,
    s: {
      scope: AccessScope;
      scopeId: string;
      organisationId: string;
      suspendedFrom: Date | null;
      tokensIssuedBefore: Date | null;
      agreementEndsAt?: Date | null;
      reason: string;
      changedAt: Date;
    },
  ): Promise<AccessStateView> {
    const rows = await tx.query<AccessStateRow[]>(
      `INSERT INTO access_states (scope, scope_id, organisation_id, suspended_from, tokens_issued_before,
                                  agreement_ends_at, reason, changed_at, changed_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (scope, scope_id) DO UPDATE SET organisation_id = EXCLUDED.organisation_id,
         suspended_from = EXCLUDED.suspended_from, tokens_issued_before = EXCLUDED.tokens_issued_before,
         agreement_ends_at = EXCLUDED.agreement_ends_at, reason = EXCLUDED.reason,
         changed_at = EXCLUDED.changed_at, changed_by = EXCLUDED.changed_by
       RETURNING *`,
      [
        s.scope,
        s.scopeId,
        s.organisationId,
        s.suspendedFrom,
        s.tokensIssuedBefore,
        s.agreementEndsAt ?? null,
        s.reason,
        s.changedAt,
        principal.subject,
      ],
    );
    await this.events.changed(tx, {
      scope: s.scope,
      scopeId: s.scopeId,
      organisationId: s.organisationId,
      suspendedFrom: s.suspendedFrom?.getTime() ?? null,
      tokensIssuedBefore: s.tokensIssuedBefore?.getTime() ?? null,
      reason: s.reason,
      changedAt: s.changedAt.getTime(),
    });
    return stateView(rows[0] as AccessStateRow);
  }

  private async row(
    tx: EntityManager,
    organisationId: string,
    userId: string,
    lock = false,
  ): Promise<NamedUserRow> {
    const rows = await tx.query<NamedUserRow[]>(
      `SELECT * FROM named_users WHERE organisation_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`,
      [organisationId, userId],
    );
    const row = rows[0];
    if (!row) throw new AccessError('NAMED_USER_NOT_FOUND', 'No such user of this organisation.');
    return row;
  }
}

export function view(r: NamedUserRow): NamedUserView {
  return {
    userId: r.id,
    organisationId: r.organisation_id,
    identityProviderUserId: r.idp_user_id,
    username: r.username,
    email: r.email,
    roles: r.roles,
    status: r.status,
    invitedAt: r.invited_at.toISOString(),
    invitedBy: r.invited_by,
    suspendedAt: iso(r.suspended_at),
    removedAt: iso(r.removed_at),
    lastLoginAt: iso(r.last_login_at),
  };
}

function stateView(r: AccessStateRow): AccessStateView {
  return {
    scope: r.scope,
    scopeId: r.scope_id,
    organisationId: r.organisation_id,
    suspendedFrom: iso(r.suspended_from),
    tokensIssuedBefore: iso(r.tokens_issued_before),
    agreementEndsAt: iso(r.agreement_ends_at),
    reason: r.reason,
    changedAt: r.changed_at.toISOString(),
  };
}
