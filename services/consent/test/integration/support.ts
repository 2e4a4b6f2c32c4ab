import { randomUUID } from 'node:crypto';
import {
  AllocationRecordedEvent,
  ExemptionGroup,
  OrganisationRegisteredEvent,
  RegistrationCreatedEvent,
} from '@divit/contracts';
import { ServiceTestApp, eventually } from '@divit/testing';
import { AppModule } from '../../src/app.module';
import { ConsentConfig, loadConsentConfig } from '../../src/config/consent.config';
import { consentDataSourceOptions } from '../../src/database/data-source';

export { fieldsOf, pdfText, eventually } from '@divit/testing';
export type { HttpResult, ReceivedEvent } from '@divit/testing';

/** The consent service on the real stack (see ServiceTestApp in libs/testing). */
export class ConsentTestApp extends ServiceTestApp<ConsentConfig> {
  constructor(env: Record<string, string> = {}) {
    super({
      service: 'consent',
      loadConfig: (e) => loadConsentConfig(e),
      dataSourceOptions: consentDataSourceOptions,
      appModule: (config) => AppModule.forRoot(config),
      observe: ['dlqConsent'],
      env,
    });
  }

  admin(org: string): string {
    return this.token(org, ['admin'], `admin-${org.slice(0, 8)}`);
  }
  system(org: string): string {
    return this.token(org, ['allocation-system'], `system-${org.slice(0, 8)}`);
  }
  auditor(org: string): string {
    return this.token(org, ['auditor'], `auditor-${org.slice(0, 8)}`);
  }

  /** Plays registration: the organisation exists with route A from today, and waits until consent knows it. */
  async organisationWithRouteA(name = 'Woonstichting Test'): Promise<string> {
    const organisationId = randomUUID();
    await this.publish(OrganisationRegisteredEvent, [
      {
        key: organisationId,
        value: {
          organisationId,
          name,
          kind: 'CORPORATION',
          route: 'A',
          coordinatorOrganisationId: null,
          effectiveFrom: '2024-01-01',
          occurredAt: Date.now(),
        },
      },
    ]);
    await this.routeRows(organisationId, 1);
    return organisationId;
  }

  async routeRows(organisationId: string, n: number): Promise<void> {
    await eventually(
      () => this.query(`SELECT id FROM organisation_routes WHERE organisation_id = $1`, [organisationId]),
      { description: `${n} route row(s) for ${organisationId}`, until: (r) => r.length >= n },
    );
  }

  /** A published text for the series; returns its id and version hash. */
  async publishedText(
    organisationId: string,
    audience: 'HOME_SEEKER' | 'CO_RESIDENT' = 'HOME_SEEKER',
    purpose:
      | 'BSN_AT_REGISTRATION'
      | 'BSN_FOR_EXISTING_REGISTRATION'
      | 'BSN_AND_INCOME_AT_ALLOCATION' = 'BSN_AT_REGISTRATION',
  ): Promise<{ id: string; versionHash: string }> {
    const draft = await this.call('POST', '/consent-texts', this.admin(organisationId), {
      organisationId,
      audience,
      purpose,
      language: 'nl',
      elements: completeElements(purpose),
    });
    if (draft.status !== 201) throw new Error(`draft: ${draft.status} ${draft.text}`);
    const published = await this.call(
      'POST',
      `/consent-texts/${String(draft.json.id)}/publication`,
      this.admin(organisationId),
    );
    if (published.status !== 201) throw new Error(`publication: ${published.status} ${published.text}`);
    return { id: String(published.json.id), versionHash: String(published.json.versionHash) };
  }

  /**
   * Plays registration: the registration exists at `organisationId` (RegistrationCreated), and waits until consent
   * knows it. Consent refuses showings for registrations it has not learned of.
   */
  async knownRegistration(organisationId: string, registrationId: string = randomUUID()): Promise<string> {
    const known = () =>
      this.query<{ organisation_id: string }>(`SELECT organisation_id FROM registrations WHERE id = $1`, [
        registrationId,
      ]);
    if ((await known()).length > 0) return registrationId;
    await this.publish(RegistrationCreatedEvent, [
      {
        key: registrationId,
        value: {
          registrationId,
          organisationId,
          registrationDate: '2024-01-01',
          origin: 'API',
          occurredAt: Date.now(),
        },
      },
    ]);
    await eventually(known, {
      description: `registration ${registrationId} to arrive`,
      until: (r) => r.length > 0,
    });
    return registrationId;
  }

  /**
   * Plays registration: the allocation exists for the registration at `organisationId` (AllocationRecorded), and
   * waits until consent knows it. Consent refuses showings at allocation for allocations it has not learned of.
   */
  async knownAllocation(
    organisationId: string,
    registrationId: string,
    allocationId: string = randomUUID(),
    exemptionGroup: ExemptionGroup | null = null,
  ): Promise<string> {
    const known = () =>
      this.query<{ id: string }>(`SELECT id FROM allocations WHERE id = $1`, [allocationId]);
    if ((await known()).length > 0) return allocationId;
    await this.publish(AllocationRecordedEvent, [
      {
        key: allocationId,
        value: {
          allocationId,
          registrationId,
          organisationId,
          lettingCorporationId: organisationId,
          leaseStartDate: '2026-12-01',
          monthlyRentCents: 65_000,
          exemptionGroup,
          members: [{ memberId: registrationId, role: 'HOME_SEEKER', adult: true }],
          occurredAt: Date.now(),
        },
      },
    ]);
    await eventually(known, {
      description: `allocation ${allocationId} to arrive`,
      until: (r) => r.length > 0,
    });
    return allocationId;
  }

  /** Records a showing (the registration, and an allocation it names, are made known to consent first, at `organisationId`). */
  async show(
    organisationId: string,
    body: Record<string, unknown>,
  ): Promise<{ showingId: string; shownAt: string }> {
    if (typeof body.registrationId === 'string')
      await this.knownRegistration(organisationId, body.registrationId);
    if (typeof body.registrationId === 'string' && typeof body.allocationId === 'string')
      await this.knownAllocation(organisationId, body.registrationId, body.allocationId);
    const r = await this.call('POST', '/showings', this.system(organisationId), { channel: 'WEB', ...body });
    if (r.status !== 201) throw new Error(`showing: ${r.status} ${r.text}`);
    return { showingId: String(r.json.showingId), shownAt: String(r.json.shownAt) };
  }
}

export function completeElements(purpose: string): Record<string, unknown> {
  const atAllocation = purpose === 'BSN_AND_INCOME_AT_ALLOCATION';
  return {
    legalDuty: {
      text: 'De inkomenstoets is een wettelijke plicht; daarvoor zijn uw geslachtsnaam, geboortedatum en inkomen nodig.',
      data: ['SURNAME', 'BIRTH_DATE', 'INCOME'],
    },
    secureGovernmentConnection: {
      text: 'Het delen is veilig en loopt via een beveiligde verbinding met de overheid.',
    },
    digidAtMijnOverheid: {
      text: atAllocation
        ? 'U logt in met DigiD bij MijnOverheid, die u vraagt uw BSN en inkomen te delen.'
        : 'U logt in met DigiD bij MijnOverheid, die u vraagt uw BSN te delen.',
      sharedData: atAllocation ? ['BSN', 'INCOME'] : ['BSN'],
    },
    bsnOnlyForSurnameAndBirthDateCheck: {
      text: 'Uw BSN wordt alleen gebruikt om uw geslachtsnaam en geboortedatum te controleren.',
    },
    bsnHashedAndVerifiedDataStored: {
      text: 'Daarna wordt uw BSN een onleesbare code; wij bewaren de bij de overheid bekende geslachtsnaam en geboortedatum.',
    },
    reuseAtAllocation: { text: 'Deze gegevens gebruiken wij opnieuw bij de toewijzing van een woning.' },
    voluntaryAndWithdrawable: {
      text: 'Delen is vrijwillig, verandert uw kans op een woning niet en u kunt uw instemming altijd intrekken zonder gevolgen voor uw inschrijfduur.',
      noEffectOnChanceOfHome: true,
      withdrawableAnyTime: true,
      noEffectOnRegistrationTime: true,
    },
    controllerIdentity: {
      text: 'Verwerkingsverantwoordelijke is de organisatie hieronder genoemd.',
      contact: 'privacy@example.org',
    },
    dataSubjectRights: {
      text: 'U mag uw gegevens inzien, laten verbeteren of verwijderen, bezwaar maken en een klacht indienen.',
      rights: ['ACCESS', 'RECTIFICATION', 'ERASURE', 'OBJECTION', 'COMPLAINT'],
      howToExercise: 'privacy@example.org; klachten: Autoriteit Persoonsgegevens',
    },
  };
}

/** Decodes a compact JWS's payload (no verification). */
export function payloadOf(jws: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}
