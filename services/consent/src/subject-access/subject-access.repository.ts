import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readSubjectAccessCategories, SubjectAccessCategory, SubjectAccessQuery } from '@divit/service-kit';

const QUERIES: SubjectAccessQuery[] = [
  {
    category: 'registration',
    description:
      'The registration as consent learned it from registration (its organisation and whether it was deregistered).',
    sql: `SELECT id AS "registrationId", organisation_id AS "organisationId", deregistered_at AS "deregisteredAt"
            FROM registrations WHERE id = $1`,
  },
  {
    category: 'showings',
    description:
      'Each time a consent text was shown to the home seeker or a co-resident: which text version, when, on which channel, for which purpose and controllers.',
    sql: `SELECT id AS "showingId", subject_id AS "subjectId", subject_role AS "subjectRole", allocation_id AS "allocationId",
                 purpose, channel, shown_at AS "shownAt", text_id AS "textId", text_version_hash AS "textVersionHash",
                 controller_route AS "controllerRoute", controllers
            FROM consent_showings WHERE registration_id = $1 ORDER BY shown_at, id`,
  },
  {
    category: 'consents',
    description:
      'The answers given (granted or refused), with the signed consent receipt id and the withdrawal time if it was withdrawn.',
    sql: `SELECT id AS "consentId", showing_id AS "showingId", subject_id AS "subjectId", subject_role AS "subjectRole",
                 allocation_id AS "allocationId", purpose, answer, answered_at AS "answeredAt",
                 text_version_hash AS "textVersionHash", receipt_id AS "receiptId", receipt_kid AS "receiptKid",
                 withdrawn_at AS "withdrawnAt"
            FROM consents WHERE registration_id = $1 ORDER BY answered_at, id`,
  },
  {
    category: 'withdrawals',
    description: 'The consents that were withdrawn, and when.',
    sql: `SELECT id AS "consentId", subject_id AS "subjectId", purpose, withdrawn_at AS "withdrawnAt"
            FROM consents WHERE registration_id = $1 AND withdrawn_at IS NOT NULL ORDER BY withdrawn_at, id`,
  },
];

/** What consent holds about one registration (ADR 0025: the feature's only TypeORM user). */
@Injectable()
export class SubjectAccessRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The organisations the registration belongs to here (from registration's event or its showings). */
  async owners(registrationId: string): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT organisation_id::text AS id FROM registrations WHERE id = $1
       UNION SELECT organisation_id::text FROM consent_showings WHERE registration_id = $1`,
      [registrationId],
    );
    return rows.map((r) => r.id);
  }

  categories(registrationId: string): Promise<SubjectAccessCategory[]> {
    return readSubjectAccessCategories(this.dataSource.manager, registrationId, QUERIES);
  }
}
