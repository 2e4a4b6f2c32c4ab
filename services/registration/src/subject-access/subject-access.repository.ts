import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readSubjectAccessCategories, SubjectAccessCategory, SubjectAccessQuery } from '@divit/service-kit';

const ALLOCATIONS = `SELECT id FROM allocations WHERE registration_id = $1`;

const QUERIES: SubjectAccessQuery[] = [
  {
    category: 'registration',
    description:
      "The home seeker's registration: stated name, birth date, gender marker, address and contact details, registration date, status and identity-validation status (the validated name and birth date, never a BSN).",
    sql: `SELECT id AS "registrationId", organisation_id AS "organisationId", surname_prefix AS "surnamePrefix", surname,
                 birth_date::text AS "birthDate", gender_marker AS "genderMarker", postcode, house_number AS "houseNumber",
                 house_number_addition AS "houseNumberAddition", email, phone, registration_date::text AS "registrationDate",
                 status, deregistered_at AS "deregisteredAt", identity_status AS "identityStatus",
                 validated_surname AS "validatedSurname", validated_birth_date::text AS "validatedBirthDate",
                 identity_validated_at AS "identityValidatedAt", created_at AS "createdAt", updated_at AS "updatedAt"
            FROM registrations WHERE id = $1`,
  },
  {
    category: 'household-members',
    description: 'The household members stated with the registration (relation, name, birth date).',
    sql: `SELECT id AS "memberId", relation, surname_prefix AS "surnamePrefix", surname, birth_date::text AS "birthDate",
                 created_at AS "createdAt"
            FROM household_members WHERE registration_id = $1 ORDER BY created_at, id`,
  },
  {
    category: 'allocations',
    description:
      'Dwellings allocated to the home seeker, as the allocation system recorded them (dwelling, rent, lease start, exemption group, outcome).',
    sql: `SELECT id AS "allocationId", organisation_id AS "organisationId", letting_corporation_id AS "lettingCorporationId",
                 dwelling_reference AS "dwellingReference", monthly_rent_cents AS "monthlyRentCents",
                 lease_start_date::text AS "leaseStartDate", exemption_group AS "exemptionGroup",
                 recorded_at AS "recordedAt", closed_outcome AS "closedOutcome", closed_at AS "closedAt"
            FROM allocations WHERE registration_id = $1 ORDER BY recorded_at, id`,
  },
  {
    category: 'allocation-members',
    description: 'The co-residents named at an allocation (role, adult or not, name, birth date).',
    sql: `SELECT id AS "memberId", allocation_id AS "allocationId", position, role, adult,
                 surname_prefix AS "surnamePrefix", surname, birth_date::text AS "birthDate"
            FROM allocation_members WHERE allocation_id IN (${ALLOCATIONS}) ORDER BY allocation_id, position`,
  },
  {
    category: 'dossier-concordance',
    description:
      "Rows of an imported dossier (a previous system's registration) merged into this registration: source system, dossier number and the details it held.",
    sql: `SELECT source_system AS "sourceSystem", dossier_number AS "dossierNumber", person_key AS "personKey",
                 surname_prefix AS "surnamePrefix", surname, birth_date::text AS "birthDate", gender_marker AS "genderMarker",
                 postcode, house_number AS "houseNumber", house_number_addition AS "houseNumberAddition", email, phone,
                 registration_date::text AS "registrationDate", deleted_at AS "deletedAt",
                 created_at AS "createdAt", updated_at AS "updatedAt"
            FROM dossier_concordance WHERE registration_id = $1 ORDER BY source_system, dossier_number`,
  },
  {
    category: 'erased-registration',
    description:
      'If the registration was erased: the tombstone kept as proof (dates and erasure id, no personal data).',
    sql: `SELECT registration_id AS "registrationId", registration_date::text AS "registrationDate",
                 deregistered_at AS "deregisteredAt", erasure_id AS "erasureId", erased_at AS "erasedAt"
            FROM erased_registrations WHERE registration_id = $1`,
  },
];

/** What registration holds about one registration (ADR 0025: the feature's only TypeORM user). */
@Injectable()
export class SubjectAccessRepository {
  constructor(private readonly dataSource: DataSource) {}

  async owners(registrationId: string): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT organisation_id::text AS id FROM registrations WHERE id = $1
       UNION SELECT organisation_id::text FROM erased_registrations WHERE registration_id = $1`,
      [registrationId],
    );
    return rows.map((r) => r.id);
  }

  categories(registrationId: string): Promise<SubjectAccessCategory[]> {
    return readSubjectAccessCategories(this.dataSource.manager, registrationId, QUERIES);
  }
}
