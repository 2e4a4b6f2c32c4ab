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
import { AccessRepository, AccessStateInput, AccessStateRow, NamedUserRow } from './access.repository';

export type { NamedUserRow };

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
    private readonly repo: AccessRepository,
  ) {}

  /** Runs `work` in one transaction (the access review records with the same checks). */
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Throws unless the caller may manage (write) or see (read) the users of `organisationId`. */
  async assertManages(
    principal: Principal,
    organisationId: string,
    mode: 'read' | 'write',
    tx: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    const exists = await this.repo.organisationExists(organisationId, tx);
    const allowed =
      isPlatformOperator(principal) ||
      (principal.roles.includes('admin') && principal.organisationId === organisationId) ||
      (mode === 'read' &&
        principal.roles.includes('auditor') &&
        principal.organisationId === organisationId) ||
      (principal.roles.includes('coordinator') &&
        (await this.scope.canSee(principal, organisationId, todayInAmsterdam(), tx)));
    if (exists && allowed) return;
    if (mode === 'read' || !exists)
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
  capFor(organisationId: string, tx?: EntityManager): Promise<{ maxUsers: number; source: string } | null> {
    return this.repo.capFor(organisationId, tx);
  }

  async list(principal: Principal, organisationId: string): Promise<NamedUserList> {
    await this.assertManages(principal, organisationId, 'read');
    const rows = await this.repo.listUsers(organisationId);
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
        await this.repo.lockOrganisation(tx, organisationId);
        await this.assertManages(principal, organisationId, 'write', tx);
        const cap = await this.capFor(organisationId, tx);
        const count = await this.repo.countNamedUsers(organisationId, tx);
        if (cap && count >= cap.maxUsers)
          throw new AccessError(
            'NAMED_USER_CAP_REACHED',
            `This organisation already has ${count} named user(s), the most it may have (${cap.source}). Remove one first.`,
            { maxUsers: cap.maxUsers, namedUsers: count },
          );
        if (await this.repo.usernameTaken(input.username, tx))
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
        await this.repo.insertUser(tx, {
          id,
          organisationId,
          idpUserId: createdIdpUser,
          username: input.username,
          email: input.email ?? null,
          roles: input.roles,
          invitedAt: now,
          invitedBy: principal.subject,
        });
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
      await this.repo.updateRoles(tx, organisationId, userId, input.roles, now);
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
      await this.repo.setStatus(tx, organisationId, userId, 'SUSPENDED', now);
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
      await this.repo.setStatus(tx, organisationId, userId, 'ACTIVE', now);
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
      await this.repo.setStatus(tx, organisationId, userId, 'REMOVED', now);
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
      // Only a calling system of this organisation (its service account in the organisation's group): another
      // organisation's client answers as a missing one.
      if (
        (held && held.organisation_id !== organisationId) ||
        !(await this.idp.clientBelongsTo(clientId, organisationId))
      )
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
    const row = await this.repo.accessState('ORGANISATION', organisationId);
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

  private state(tx: EntityManager, scope: AccessScope, scopeId: string): Promise<AccessStateRow | null> {
    return this.repo.accessState(scope, scopeId, tx);
  }

  /** Stores the access state and publishes it (outbox, same transaction). */
  private async setState(
    tx: EntityManager,
    principal: Principal,
    s: AccessStateInput,
  ): Promise<AccessStateView> {
    const row = await this.repo.upsertAccessState(tx, s, principal.subject);
    await this.events.changed(tx, {
      scope: s.scope,
      scopeId: s.scopeId,
      organisationId: s.organisationId,
      suspendedFrom: s.suspendedFrom?.getTime() ?? null,
      tokensIssuedBefore: s.tokensIssuedBefore?.getTime() ?? null,
      reason: s.reason,
      changedAt: s.changedAt.getTime(),
    });
    return stateView(row);
  }

  private async row(
    tx: EntityManager,
    organisationId: string,
    userId: string,
    lock = false,
  ): Promise<NamedUserRow> {
    const row = await this.repo.user(tx, organisationId, userId, lock);
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
