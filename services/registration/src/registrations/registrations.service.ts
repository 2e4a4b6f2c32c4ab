import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Principal } from '@divit/service-kit';
import { AccessLogService, changedFieldNames } from '@divit/access-log';
import { OrganisationScopeService } from '../organisations/organisation-scope.service';
import { CreateRegistrationDto, todayInAmsterdam, UpdateRegistrationDto } from './dto/registration.dto';
import { RegistrationView } from './dto/registration-view.dto';
import { RegistrationEvents } from './registration.events';
import { HouseholdMemberEntity, RegistrationEntity } from './registration.entity';
import { RegistrationError } from './registrations.errors';
import { RegistrationsRepository, Tx } from './registrations.repository';

export type { RegistrationView };

type HouseholdInput = NonNullable<UpdateRegistrationDto['household']>;

@Injectable()
export class RegistrationsService {
  constructor(
    private readonly repository: RegistrationsRepository,
    private readonly events: RegistrationEvents,
    private readonly accessLog: AccessLogService,
    private readonly scope: OrganisationScopeService,
  ) {}

  async create(principal: Principal, input: CreateRegistrationDto): Promise<RegistrationView> {
    const today = todayInAmsterdam();
    const organisationId = input.organisationId ?? principal.organisationId;
    return this.repository.transaction(async (tx) => {
      if (
        !(await this.scope.canSee(principal, organisationId, today, tx)) ||
        !(await this.repository.organisationExists(tx, organisationId))
      ) {
        throw new RegistrationError(
          'ORGANISATION_NOT_VISIBLE',
          'Registrations can only be created for your own organisation or one you coordinate.',
        );
      }
      const id = randomUUID();
      const registration = {
        id,
        organisationId,
        surnamePrefix: input.surnamePrefix ?? null,
        surname: input.surname,
        birthDate: input.birthDate,
        genderMarker: input.genderMarker ?? null,
        postcode: input.postcode ?? null,
        houseNumber: input.houseNumber ?? null,
        houseNumberAddition: input.houseNumberAddition ?? null,
        email: input.email ?? null,
        phone: input.phone ?? null,
        registrationDate: input.registrationDate ?? today,
        status: 'ACTIVE' as const,
        deregisteredAt: null,
        identityStatus: 'NOT_STARTED' as const,
        validatedSurname: null,
        validatedBirthDate: null,
        identityValidatedAt: null,
        version: 1,
      };
      await this.repository.insert(tx, registration, householdRows(id, input.household));
      await this.events.created(tx, {
        registrationId: id,
        organisationId,
        registrationDate: registration.registrationDate,
        origin: 'API',
        occurredAt: Date.now(),
      });
      await this.accessLog.record(
        { principal, action: 'REGISTRATION_CREATED', ...this.about(registration), purpose: 'CASE_HANDLING' },
        tx,
      );
      return this.view(tx, { ...registration, createdAt: new Date(), updatedAt: new Date() });
    });
  }

  async get(principal: Principal, id: string, purpose: string): Promise<RegistrationView> {
    return this.repository.transaction(async (tx) => {
      const registration = await this.visible(tx, principal, id);
      await this.accessLog.record(
        { principal, action: 'REGISTRATION_READ', ...this.about(registration), purpose },
        tx,
      );
      return this.view(tx, registration);
    });
  }

  async update(principal: Principal, id: string, input: UpdateRegistrationDto): Promise<RegistrationView> {
    return this.repository.transaction(async (tx) => {
      const registration = await this.visible(tx, principal, id, true);
      if (registration.status === 'DEREGISTERED') {
        throw new RegistrationError(
          'REGISTRATION_DEREGISTERED',
          'A deregistered registration cannot be changed.',
        );
      }
      if (input.birthDate !== undefined && input.birthDate > registration.registrationDate) {
        throw new RegistrationError(
          'REGISTRATION_DATE_BEFORE_BIRTH',
          'The birth date cannot be after the registration date.',
          { registrationDate: registration.registrationDate },
        );
      }
      const { household, ...fields } = input;
      const record = registration as unknown as Record<string, unknown>;
      const given = Object.keys(fields).filter((k) => (fields as Record<string, unknown>)[k] !== undefined);
      const before = Object.fromEntries(given.map((k) => [k, record[k]]));
      for (const key of given) record[key] = (fields as Record<string, unknown>)[key];
      await this.repository.save(tx, registration);
      if (household) await this.repository.replaceHousehold(tx, id, householdRows(id, household));
      // The names of the fields whose value changed (issue 16 item 10), never their values: every field of a
      // registration is a person's data.
      const changedFields = [
        ...changedFieldNames(before, Object.fromEntries(given.map((k) => [k, record[k]]))),
        ...(household ? ['household'] : []),
      ];
      await this.accessLog.record(
        {
          principal,
          action: 'REGISTRATION_UPDATED',
          ...this.about(registration),
          purpose: 'CASE_HANDLING',
          changedFields,
        },
        tx,
      );
      return this.view(tx, registration);
    });
  }

  /** Ends the registration; idempotent (a second call changes nothing and publishes nothing). */
  async deregister(principal: Principal, id: string): Promise<RegistrationView> {
    return this.repository.transaction(async (tx) => {
      const registration = await this.visible(tx, principal, id, true);
      if (registration.status === 'ACTIVE') {
        registration.status = 'DEREGISTERED';
        registration.deregisteredAt = new Date();
        await this.repository.save(tx, registration);
        await this.events.deregistered(tx, {
          registrationId: id,
          organisationId: registration.organisationId,
          occurredAt: registration.deregisteredAt.getTime(),
        });
        await this.accessLog.record(
          {
            principal,
            action: 'REGISTRATION_DEREGISTERED',
            ...this.about(registration),
            purpose: 'CASE_HANDLING',
            changedFields: ['status', 'deregisteredAt'],
            changedValues: {
              status: { from: 'ACTIVE', to: 'DEREGISTERED' },
              deregisteredAt: { from: null, to: registration.deregisteredAt.toISOString() },
            },
          },
          tx,
        );
      }
      return this.view(tx, registration);
    });
  }

  /** The access-log scope of a registration: resource, owning organisation and the erasure key. */
  private about(r: { id: string; organisationId: string }) {
    return {
      resourceType: 'registration',
      resourceId: r.id,
      organisationId: r.organisationId,
      registrationId: r.id,
    };
  }

  /** Another organisation's registration answers exactly like a missing one. */
  private async visible(tx: Tx, principal: Principal, id: string, lock = false): Promise<RegistrationEntity> {
    const registration = await this.repository.find(tx, id, lock);
    if (
      !registration ||
      !(await this.scope.canSee(principal, registration.organisationId, todayInAmsterdam(), tx))
    )
      throw new RegistrationError('REGISTRATION_NOT_FOUND', 'No such registration.');
    return registration;
  }

  private async view(tx: Tx, r: Omit<RegistrationEntity, 'organisation'>): Promise<RegistrationView> {
    const household = await this.repository.household(tx, r.id);
    return {
      registrationId: r.id,
      organisationId: r.organisationId,
      surnamePrefix: r.surnamePrefix,
      surname: r.surname,
      birthDate: r.birthDate,
      genderMarker: r.genderMarker,
      postcode: r.postcode,
      houseNumber: r.houseNumber,
      houseNumberAddition: r.houseNumberAddition,
      email: r.email,
      phone: r.phone,
      registrationDate: r.registrationDate,
      status: r.status,
      deregisteredAt: r.deregisteredAt ? r.deregisteredAt.toISOString() : null,
      identity: {
        status: r.identityStatus,
        validatedSurname: r.validatedSurname,
        validatedBirthDate: r.validatedBirthDate,
      },
      household: household.map((m) => ({
        memberId: m.id,
        relation: m.relation,
        surnamePrefix: m.surnamePrefix,
        surname: m.surname,
        birthDate: m.birthDate,
      })),
    };
  }
}

function householdRows(
  registrationId: string,
  household: HouseholdInput,
): Omit<HouseholdMemberEntity, 'createdAt' | 'registration'>[] {
  return household.map((m) => ({
    id: randomUUID(),
    registrationId,
    relation: m.relation,
    surnamePrefix: m.surnamePrefix ?? null,
    surname: m.surname,
    birthDate: m.birthDate,
  }));
}
