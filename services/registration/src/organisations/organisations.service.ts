import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RegisterOrganisationDto } from './dto/register-organisation.dto';
import { OrganisationError } from './organisations.errors';
import { OrganisationEvents } from './organisation.events';
import { OrganisationRecord, OrganisationsRepository } from './organisations.repository';
import { decideRoute, routeRefusalText } from './route-decision';

export interface OrganisationView {
  organisationId: string;
  name: string;
  kind: string;
  route: string;
  coordinatorOrganisationId: string | null;
  effectiveFrom: string;
  routeHistory: { effectiveFrom: string; route: string; coordinatorOrganisationId: string | null }[];
}

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
      if (
        decision.coordinator === 'PRIMUS_INTER_PARES' &&
        coordinator &&
        !(await this.repository.exists(tx, coordinator))
      ) {
        throw new OrganisationError(
          'COORDINATOR_UNKNOWN',
          'The primus inter pares must be a registered organisation.',
        );
      }
      await this.repository.insert(tx, record);
      await this.events.registered(tx, {
        organisationId: id,
        name: input.name,
        kind: decision.kind,
        route: decision.route,
        coordinatorOrganisationId: coordinator,
        effectiveFrom: input.effectiveFrom,
        occurredAt: Date.now(),
      });
    });
    return toView(record);
  }

  async get(id: string): Promise<OrganisationView> {
    const record = await this.repository.find(id);
    if (!record) throw new OrganisationError('ORGANISATION_NOT_FOUND', 'No such organisation.');
    return toView(record);
  }
}

function toView(record: OrganisationRecord): OrganisationView {
  const current = record.routes[record.routes.length - 1];
  return {
    organisationId: record.id,
    name: record.name,
    kind: record.kind,
    route: current?.route ?? '',
    coordinatorOrganisationId: current?.coordinatorOrganisationId ?? null,
    effectiveFrom: current?.effectiveFrom ?? '',
    routeHistory: record.routes,
  };
}
