import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Principal } from '@divit/service-kit';
import { ConsentError } from '../common/consent.errors';
import { ConsentTextsService } from '../consent-texts/consent-texts.service';
import { OrganisationsService } from '../organisations/organisations.service';
import { RecordShowingDto, ShowingView } from './dto/showing.dto';
import { ShowingEntity } from './showing.entity';
import { ShowingsRepository } from './showings.repository';

export type { ShowingView };

/** Proof of showing: which published text version was shown to whom, when, in which channel, naming which controller. */
@Injectable()
export class ShowingsService {
  constructor(
    private readonly repository: ShowingsRepository,
    private readonly texts: ConsentTextsService,
    private readonly organisations: OrganisationsService,
  ) {}

  async record(principal: Principal, dto: RecordShowingDto): Promise<ShowingView> {
    const text = await this.texts.visible(principal, dto.textId);
    if (text.status !== 'PUBLISHED' || !text.versionHash)
      throw new ConsentError('CONSENT_TEXT_NOT_PUBLISHED', 'only a published consent text can be shown', {
        textId: text.id,
      });
    if (text.supersededAt)
      throw new ConsentError(
        'CONSENT_TEXT_SUPERSEDED',
        'a newer version of this text is published; show that one',
        {
          textId: text.id,
        },
      );
    if (text.audience !== dto.subjectRole)
      throw new ConsentError(
        'AUDIENCE_MISMATCH',
        `this text is for ${text.audience}, not ${dto.subjectRole}`,
        {
          field: 'subjectRole',
        },
      );
    const allocationId = dto.allocationId ?? null;
    if (text.purpose === 'BSN_AND_INCOME_AT_ALLOCATION' && !allocationId)
      throw new ConsentError('ALLOCATION_REQUIRED', 'consent at allocation needs the allocation id', {
        field: 'allocationId',
      });
    if (text.purpose !== 'BSN_AND_INCOME_AT_ALLOCATION' && allocationId)
      throw new ConsentError('ALLOCATION_NOT_ALLOWED', `purpose ${text.purpose} is not about an allocation`, {
        field: 'allocationId',
      });
    const subjectId = dto.subjectId ?? dto.registrationId;
    if (dto.subjectRole === 'HOME_SEEKER' && subjectId !== dto.registrationId)
      throw new ConsentError('SUBJECT_MISMATCH', "the home seeker's subject id is the registration id", {
        field: 'subjectId',
      });
    // Only a registration consent has learned of (RegistrationCreated), and only the text's organisation's own:
    // otherwise another organisation could ask consent for a brand-new registration before its event arrives.
    const owner = await this.organisations.registrationOrganisation(dto.registrationId);
    if (owner === undefined)
      throw new ConsentError(
        'REGISTRATION_UNKNOWN',
        'this registration is not known (yet) to consent; its registration event may still be on its way: try again shortly',
        { registrationId: dto.registrationId },
      );
    if (owner !== text.organisationId)
      throw new ConsentError('REGISTRATION_NOT_FOUND', 'registration not found', {
        registrationId: dto.registrationId,
      });
    if (allocationId) await this.assertAllocationOpen(allocationId, dto.registrationId, text.organisationId);
    const shownAt = new Date();
    // About an allocation the text names the controller in force for it (after acceptance the letting corporation).
    const controller = await this.organisations.controllersFor(text.organisationId, allocationId, shownAt);
    const row: ShowingEntity = {
      id: randomUUID(),
      textId: text.id,
      textVersionHash: text.versionHash,
      organisationId: text.organisationId,
      registrationId: dto.registrationId,
      subjectId,
      subjectRole: dto.subjectRole,
      allocationId,
      purpose: text.purpose,
      channel: dto.channel,
      shownAt,
      controllerRoute: controller.route,
      controllers: controller.controllers,
      recordedBy: principal.subject,
    };
    await this.repository.insert(row);
    return showingView(row);
  }

  /**
   * Consent at allocation only for an allocation registration announced, of this registration and organisation,
   * still open, and not of an exempted household: DIV-it may not be offered to exempted groups (seed 001), so no
   * consent, no sharing session and no usage can start for them (issue 16 item 4).
   */
  private async assertAllocationOpen(allocationId: string, registrationId: string, organisationId: string) {
    const allocation = await this.organisations.allocation(allocationId);
    if (!allocation)
      throw new ConsentError(
        'ALLOCATION_UNKNOWN',
        'this allocation is not known (yet) to consent; its allocation event may still be on its way: try again shortly',
        { allocationId },
      );
    if (allocation.registrationId !== registrationId || allocation.organisationId !== organisationId)
      throw new ConsentError('ALLOCATION_NOT_FOUND', 'allocation not found for this registration', {
        allocationId,
      });
    if (allocation.exemptionGroup)
      throw new ConsentError(
        'ALLOCATION_EXEMPT',
        `the household is exempted from the income test (${allocation.exemptionGroup}): DIV-it may not be offered`,
        { allocationId, exemptionGroup: allocation.exemptionGroup },
      );
    if (allocation.closedAt)
      throw new ConsentError('ALLOCATION_CLOSED', 'the allocation has ended', { allocationId });
  }
}

export function showingView(row: ShowingEntity): ShowingView {
  return {
    showingId: row.id,
    shownAt: row.shownAt.toISOString(),
    textId: row.textId,
    textVersionHash: row.textVersionHash,
    registrationId: row.registrationId,
    subjectId: row.subjectId,
    subjectRole: row.subjectRole,
    allocationId: row.allocationId,
    purpose: row.purpose,
    channel: row.channel,
    controller: { route: row.controllerRoute, controllers: row.controllers },
  };
}
