import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { todayInAmsterdam } from '../common/calendar-date';
import { RegisterOrganisationDto } from './dto/register-organisation.dto';
import { RouteChangeDto } from './dto/organisation-changes.dto';
import { OrganisationView, RouteAtView, RouteChangeView, RouteView } from './dto/organisation-views.dto';
import { OrganisationError } from './organisations.errors';
import { OrganisationEvents } from './organisation.events';
import { OrganisationRecord, OrganisationsRepository, RouteRow } from './organisations.repository';
import { decideRoute, routeRefusalText } from './route-decision';
import { planRouteChange } from './route-change';

export type { OrganisationView, RouteAtView, RouteChangeView };

@Injectable()
export class OrganisationsService {
  constructor(
    private readonly repository: OrganisationsRepository,
    private readonly events: OrganisationEvents,
  ) {}

  /** Registers an organisation with its route from the decision tree, or refuses it with the reason. */
  async register(input: RegisterOrganisationDto): Promise<OrganisationView> {
    const decision = decideRoute(input.answers);
    if (!decision.eligible) {
      throw new OrganisationError('DIVIT_NOT_APPLICABLE', routeRefusalText[decision.reason], {
        reason: decision.reason,
      });
    }
    if (decision.coordinator === 'PRIMUS_INTER_PARES' && !input.coordinatorOrganisationId) {
      throw new OrganisationError(
        'COORDINATOR_REQUIRED',
        'Route C needs a member corporation appointed primus inter pares.',
      );
    }
    const members = input.memberOrganisationIds ?? [];
    if (decision.route === 'A' && members.length > 0) {
      throw new OrganisationError(
        'MEMBERS_NOT_ALLOWED',
        'A route A corporation allocates alone: it has no member corporations.',
      );
    }
    if (decision.coordinator !== 'PRIMUS_INTER_PARES' && input.coordinatorOrganisationId) {
      throw new OrganisationError(
        'COORDINATOR_NOT_ALLOWED',
        `Route ${decision.route} has no separate coordinator.`,
      );
    }
    const id = randomUUID();
    const coordinator =
      decision.coordinator === 'SELF'
        ? id
        : decision.coordinator === 'PRIMUS_INTER_PARES'
          ? (input.coordinatorOrganisationId ?? null)
          : null;
    const record: OrganisationRecord = {
      id,
      name: input.name,
      kind: decision.kind,
      routes: [
        { effectiveFrom: input.effectiveFrom, route: decision.route, coordinatorOrganisationId: coordinator },
      ],
    };
    await this.repository.transaction(async (tx) => {
      if (await this.repository.nameTaken(tx, input.name)) {
        throw new OrganisationError(
          'ORGANISATION_NAME_TAKEN',
          'An organisation with this name is already registered.',
        );
      }
      if (decision.coordinator === 'PRIMUS_INTER_PARES' && coordinator) {
        await this.assertPrimusInterPares(coordinator, tx);
        if (!members.includes(coordinator)) throw primusInterParesNotAMember(input.effectiveFrom);
      }
      for (const member of members) await this.assertMemberCorporation(member, tx);
      await this.repository.insert(tx, record);
      const occurredAt = Date.now();
      await this.events.registered(tx, {
        organisationId: id,
        name: input.name,
        kind: decision.kind,
        route: decision.route,
        coordinatorOrganisationId: coordinator,
        effectiveFrom: input.effectiveFrom,
        occurredAt,
      });
      // The founding members, from the organisation's first day (ADR 0035): after OrganisationRegistered on the same
      // key, so every consumer learns the organisation before its members.
      for (const memberOrganisationId of members) {
        const membership = {
          id: randomUUID(),
          organisationId: id,
          memberOrganisationId,
          validFrom: input.effectiveFrom,
          validTo: null,
        };
        await this.repository.insertMembership(tx, { ...membership });
        await this.events.membershipStarted(tx, {
          organisationId: id,
          membershipId: membership.id,
          memberOrganisationId,
          validFrom: membership.validFrom,
          validTo: null,
          occurredAt,
        });
      }
    });
    return toView(record, input.effectiveFrom);
  }

  /** The organisation with the route in force on `at` (default today) and its full route history. */
  async get(id: string, at: string = todayInAmsterdam()): Promise<OrganisationView> {
    const record = await this.repository.find(id);
    if (!record) throw notFound();
    return toView(record, at);
  }

  async routeAt(id: string, at: string = todayInAmsterdam()): Promise<RouteAtView> {
    if (!(await this.repository.kindOf(id))) throw notFound();
    const route = await this.repository.routeAt(id, at);
    if (!route) {
      throw new OrganisationError(
        'ROUTE_NOT_IN_FORCE',
        'The organisation has no route in force on this date.',
        {
          at,
        },
      );
    }
    return { organisationId: id, at, ...route };
  }

  async routeHistory(id: string): Promise<RouteView[]> {
    if (!(await this.repository.kindOf(id))) throw notFound();
    return this.repository.routes(id);
  }

  /**
   * Changes route and/or coordinator from a date: adds a row to the history (nothing is overwritten) and
   * publishes OrganisationRouteChanged with the previous and the new situation. Changes are appended in
   * date order, so the "previous" of every published event stays true.
   */
  async changeRoute(id: string, input: RouteChangeDto): Promise<RouteChangeView> {
    return this.repository.transaction(async (tx) => {
      const organisation = await this.repository.lock(tx, id);
      if (!organisation) throw notFound();
      const history = await this.repository.routes(id, tx);
      const latest = history[history.length - 1];
      if (!latest) throw new Error('organisation without route history');
      if (input.effectiveFrom <= latest.effectiveFrom) {
        throw new OrganisationError(
          'ROUTE_CHANGE_NOT_AFTER_LATEST',
          'A route change must take effect after the latest recorded route change.',
          { latestEffectiveFrom: latest.effectiveFrom },
        );
      }
      const plan = planRouteChange(id, organisation.kind, latest, input);
      if (!plan.ok) throw new OrganisationError(plan.refusal, plan.message);
      if (plan.next.route === 'C' && plan.next.coordinatorOrganisationId) {
        await this.assertPrimusInterPares(plan.next.coordinatorOrganisationId, tx);
        // Seed 000: the primus inter pares is appointed from the member corporations: enrol it first (a membership
        // in force on the change's first day), then appoint it.
        if (
          !(await this.repository.isMemberOn(
            id,
            plan.next.coordinatorOrganisationId,
            input.effectiveFrom,
            tx,
          ))
        )
          throw primusInterParesNotAMember(input.effectiveFrom);
      }
      const current: RouteRow = { effectiveFrom: input.effectiveFrom, ...plan.next };
      await this.repository.insertRoute(tx, id, current);
      await this.events.routeChanged(tx, {
        organisationId: id,
        previousRoute: latest.route,
        newRoute: current.route,
        previousCoordinatorOrganisationId: latest.coordinatorOrganisationId,
        newCoordinatorOrganisationId: current.coordinatorOrganisationId,
        effectiveFrom: current.effectiveFrom,
        occurredAt: Date.now(),
      });
      return { organisationId: id, previous: latest, current, routeHistory: [...history, current] };
    });
  }

  private async assertPrimusInterPares(
    coordinatorId: string,
    tx: Parameters<OrganisationsRepository['kindOf']>[1],
  ): Promise<void> {
    const kind = await this.repository.kindOf(coordinatorId, tx);
    if (!kind) {
      throw new OrganisationError(
        'COORDINATOR_UNKNOWN',
        'The primus inter pares must be a registered organisation.',
      );
    }
    if (kind !== 'CORPORATION') {
      throw new OrganisationError(
        'COORDINATOR_NOT_A_CORPORATION',
        'The primus inter pares must be a member corporation, not a collaboration or allocator.',
      );
    }
  }

  private async assertMemberCorporation(
    memberId: string,
    tx: Parameters<OrganisationsRepository['kindOf']>[1],
  ): Promise<void> {
    const memberKind = await this.repository.kindOf(memberId, tx);
    if (!memberKind) {
      throw new OrganisationError('MEMBER_UNKNOWN', 'The member must be a registered organisation.');
    }
    if (memberKind !== 'CORPORATION') {
      throw new OrganisationError(
        'MEMBER_NOT_A_CORPORATION',
        'Members of a housing allocator or collaboration are corporations.',
        { memberKind },
      );
    }
  }
}

function primusInterParesNotAMember(at: string): OrganisationError {
  return new OrganisationError(
    'COORDINATOR_NOT_A_MEMBER',
    'The primus inter pares must be one of the member corporations of the collaboration on the date the route takes effect.',
    { at },
  );
}

function notFound(): OrganisationError {
  return new OrganisationError('ORGANISATION_NOT_FOUND', 'No such organisation.');
}

function toView(record: OrganisationRecord, at: string): OrganisationView {
  const inForce = [...record.routes].reverse().find((r) => r.effectiveFrom <= at);
  return {
    organisationId: record.id,
    name: record.name,
    kind: record.kind,
    at,
    route: inForce?.route ?? null,
    coordinatorOrganisationId: inForce?.coordinatorOrganisationId ?? null,
    effectiveFrom: inForce?.effectiveFrom ?? null,
    routeHistory: record.routes,
  };
}
