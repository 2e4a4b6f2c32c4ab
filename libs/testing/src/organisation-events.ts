import { randomUUID } from 'node:crypto';
import {
  MembershipEndedEvent,
  MembershipStartedEvent,
  OrganisationRegisteredEvent,
  OrganisationRouteChangedEvent,
} from '@divit/contracts';
import type { ServiceTestApp } from './service-test-app';
import { eventually } from './eventually';

/** What of a service's test app this needs (any service's ServiceTestApp has it). */
type TestApp = Pick<ServiceTestApp<never>, 'publish' | 'query'>;

/** A calendar date in Europe/Amsterdam, `offsetDays` from today (YYYY-MM-DD). */
export function amsterdamDate(offsetDays = 0): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toLocaleDateString('sv-SE', {
    timeZone: 'Europe/Amsterdam',
  });
}

/** A membership as registration publishes it (MembershipStarted / MembershipEnded share the membership id). */
export interface PublishedMembership {
  organisationId: string;
  membershipId: string;
  memberOrganisationId: string;
  validFrom: string;
}

/**
 * Plays registration on `divit.registration.organisations.v1` for services that learn coordinator scope from it
 * (docs/adr/0018), and waits until the service under test has stored each event (its inbox row exists).
 */
export class OrganisationEvents {
  constructor(private readonly app: TestApp) {}

  /** A route A corporation (a member corporation is registered like this, then enrolled). */
  async corporation(organisationId: string): Promise<void> {
    await this.stored(
      await this.app.publish(OrganisationRegisteredEvent, [
        {
          key: organisationId,
          value: {
            organisationId,
            name: `Corporation ${organisationId.slice(0, 8)}`,
            kind: 'CORPORATION',
            route: 'A',
            coordinatorOrganisationId: null,
            effectiveFrom: '2024-01-01',
            occurredAt: Date.now(),
          },
        },
      ]),
    );
  }

  /** A route B housing allocator (its own coordinator). */
  async housingAllocator(organisationId: string): Promise<void> {
    await this.stored(
      await this.app.publish(OrganisationRegisteredEvent, [
        {
          key: organisationId,
          value: {
            organisationId,
            name: `Allocator ${organisationId.slice(0, 8)}`,
            kind: 'HOUSING_ALLOCATOR',
            route: 'B',
            coordinatorOrganisationId: organisationId,
            effectiveFrom: '2024-01-01',
            occurredAt: Date.now(),
          },
        },
      ]),
    );
  }

  /** A route C collaboration whose primus inter pares is `primusInterPares`. */
  async collaboration(organisationId: string, primusInterPares: string): Promise<void> {
    await this.stored(
      await this.app.publish(OrganisationRegisteredEvent, [
        {
          key: organisationId,
          value: {
            organisationId,
            name: `Collaboration ${organisationId.slice(0, 8)}`,
            kind: 'COLLABORATION',
            route: 'C',
            coordinatorOrganisationId: primusInterPares,
            effectiveFrom: '2024-01-01',
            occurredAt: Date.now(),
          },
        },
      ]),
    );
  }

  /** The organisation leaves route B/C for route A from `effectiveFrom` (it then coordinates nobody). */
  async toRouteA(organisationId: string, previous: 'B' | 'C', coordinator: string, effectiveFrom: string) {
    await this.stored(
      await this.app.publish(OrganisationRouteChangedEvent, [
        {
          key: organisationId,
          value: {
            organisationId,
            previousRoute: previous,
            newRoute: 'A',
            previousCoordinatorOrganisationId: coordinator,
            newCoordinatorOrganisationId: null,
            effectiveFrom,
            occurredAt: Date.now(),
          },
        },
      ]),
    );
  }

  /** `member` joins `organisationId` from `validFrom` (open-ended). */
  async membershipStarted(
    organisationId: string,
    member: string,
    validFrom = '2024-01-01',
  ): Promise<PublishedMembership> {
    const membership = {
      organisationId,
      membershipId: randomUUID(),
      memberOrganisationId: member,
      validFrom,
    };
    await this.stored(
      await this.app.publish(MembershipStartedEvent, [
        { key: organisationId, value: { ...membership, validTo: null, occurredAt: Date.now() } },
      ]),
    );
    return membership;
  }

  /** The membership's last day is `validTo` (inclusive); default yesterday, so it has ended today. */
  async membershipEnded(membership: PublishedMembership, validTo = amsterdamDate(-1)): Promise<void> {
    await this.stored(
      await this.app.publish(MembershipEndedEvent, [
        { key: membership.organisationId, value: { ...membership, validTo, occurredAt: Date.now() } },
      ]),
    );
  }

  private async stored(eventIds: string[]): Promise<void> {
    const rows = await eventually(
      () => this.app.query(`SELECT 1 FROM inbox_messages WHERE event_id = ANY($1)`, [eventIds]),
      {
        description:
          '() => this.app.query(`SELECT 1 FROM inbox_messages WHERE event_id = ANY($1)`, [eventIds])',
        until: (r) => r.length >= eventIds.length,
      },
    );
    if (rows.length < eventIds.length)
      throw new Error(`organisation events not stored by the service: ${eventIds.join(', ')}`);
  }
}
