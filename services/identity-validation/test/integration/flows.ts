// The other services' part in an identity-validation flow, played by a spec: consent's ConsentGranted and
// registration's IdentityCheckRequested for a BSN process at registration, registration's AllocationRecorded
// with co-residents' stated identities, and consent's receipt for the allocation. Shared by the specs that
// drive whole flows (identity-validation, pool-single-connection).
import { randomUUID } from 'node:crypto';
import {
  AllocationRecordedEvent,
  CoResidentIdentityProvidedEvent,
  ConsentGrantedEvent,
  IdentityCheckRequestedEvent,
} from '@divit/contracts';
import type { IdentityValidationTestApp } from './support';

export type Purpose =
  'BSN_AT_REGISTRATION' | 'BSN_FOR_EXISTING_REGISTRATION' | 'BSN_AND_INCOME_AT_ALLOCATION';

/** What registration states about the person (the check's input); the BSN itself never leaves the simulator. */
export interface Stated {
  surname: string;
  birthDate: string;
  gender: string | null;
  postcode?: string | null;
  houseNumber?: number | null;
}

export interface CoResident {
  memberId: string;
  surname: string;
  birthDate: string;
}

export class PlayedServices {
  constructor(
    private readonly app: IdentityValidationTestApp,
    /** The allocator the registrations and allocations belong to. */
    readonly organisationId: string,
    /** The letting corporation of the allocations. */
    readonly lettingCorporationId: string,
  ) {}

  /** Consent granted for a BSN process at registration and registration's IdentityCheckRequested, both stored. */
  async registrationConsent(purpose: Purpose, stated: Stated) {
    const registrationId = randomUUID();
    const consentId = randomUUID();
    await this.app.publish(ConsentGrantedEvent, [
      {
        key: registrationId,
        value: {
          consentId,
          organisationId: this.organisationId,
          registrationId,
          subjectId: registrationId,
          subjectRole: 'HOME_SEEKER',
          allocationId: null,
          purpose,
          textVersionHash: 'f'.repeat(64),
          receiptId: `receipt-${consentId}`,
          grantedAt: Date.now(),
        },
      },
    ]);
    await this.app.publish(IdentityCheckRequestedEvent, [
      {
        key: registrationId,
        value: {
          requestId: randomUUID(),
          consentId,
          registrationId,
          subjectId: registrationId,
          subjectRole: 'HOME_SEEKER',
          purpose,
          surnamePrefix: null,
          surname: stated.surname,
          birthDate: stated.birthDate,
          genderMarker: stated.gender,
          postcode: stated.postcode ?? null,
          houseNumber: stated.houseNumber ?? null,
          houseNumberAddition: null,
          requestedAt: Date.now(),
        },
      },
    ]);
    await this.app.until(`SELECT 1 FROM identity_check_requests WHERE consent_id = $1`, [consentId]);
    await this.app.until(`SELECT 1 FROM consents WHERE consent_id = $1`, [consentId]);
    const receipt = this.app.receipt({
      consentId,
      subjectId: registrationId,
      role: 'HOME_SEEKER',
      registrationId,
      organisationId: this.organisationId,
      purpose,
    });
    return { registrationId, consentId, receipt, purpose };
  }

  /** Registration's AllocationRecorded (and its co-residents' stated identities), stored by identity-validation. */
  async allocation(
    registrationId: string,
    coResidents: CoResident[] = [],
    exemptionGroup:
      'STATUS_HOLDER_FROM_COA' | 'STUDENTS_WITH_STUDY_FINANCE' | 'STUDENTS_FROM_ABROAD' | null = null,
  ): Promise<string> {
    const allocationId = randomUUID();
    await this.app.publish(AllocationRecordedEvent, [
      {
        key: allocationId,
        value: {
          allocationId,
          registrationId,
          organisationId: this.organisationId,
          lettingCorporationId: this.lettingCorporationId,
          leaseStartDate: '2026-07-01',
          monthlyRentCents: 65_000,
          exemptionGroup,
          members: [
            { memberId: randomUUID(), role: 'HOME_SEEKER', adult: true },
            ...coResidents.map((c) => ({ memberId: c.memberId, role: 'CO_RESIDENT' as const, adult: true })),
          ],
          occurredAt: Date.now(),
        },
      },
    ]);
    if (coResidents.length)
      await this.app.publish(
        CoResidentIdentityProvidedEvent,
        coResidents.map((c) => ({
          key: allocationId,
          value: {
            memberId: c.memberId,
            allocationId,
            surnamePrefix: null,
            surname: c.surname,
            birthDate: c.birthDate,
            occurredAt: Date.now(),
          },
        })),
      );
    await this.app.until(`SELECT 1 FROM allocations WHERE allocation_id = $1`, [allocationId]);
    for (const c of coResidents)
      await this.app.until(`SELECT 1 FROM co_resident_identities WHERE member_id = $1`, [c.memberId]);
    return allocationId;
  }

  /** Consent's signed receipt for the BSN and income process at allocation. */
  allocationReceipt(
    registrationId: string,
    allocationId: string,
    subjectId = registrationId,
    role: 'HOME_SEEKER' | 'CO_RESIDENT' = 'HOME_SEEKER',
    consentId = randomUUID(),
  ): string {
    return this.app.receipt({
      consentId,
      subjectId,
      role,
      registrationId,
      allocationId,
      organisationId: this.organisationId,
      purpose: 'BSN_AND_INCOME_AT_ALLOCATION',
    });
  }
}
