import { Controller, Get, Header, StreamableFile } from '@nestjs/common';
import {
  ApiFileResult,
  ApiProblems,
  ApiResult,
  CurrentPrincipal,
  Principal,
  Roles,
  ZodParams,
} from '@divit/service-kit';
import { AccessLogEntry, AccessLogService } from '@divit/access-log';
import { renderEvidencePdf } from './evidence-pdf';
import { EvidenceService } from './evidence.service';
import {
  consentAccessLogView,
  ConsentEvidence,
  consentEvidenceView,
  registrationIdParam,
} from './dto/evidence.dto';

/** Consent evidence per registration for auditors (every export is recorded in the access log). */
@Controller('registrations')
export class EvidenceController {
  constructor(
    private readonly evidence: EvidenceService,
    private readonly accessLog: AccessLogService,
  ) {}

  /** Full consent history: texts shown (all elements, version hash), showing times and channels, answers, receipts, withdrawals. */
  @Get(':id/consent-evidence')
  @Roles('auditor', 'admin')
  @ApiResult(consentEvidenceView, { description: 'The consent evidence (the export is access-logged).' })
  @ApiProblems('REGISTRATION_NOT_FOUND')
  json(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(registrationIdParam) params: { id: string },
  ): Promise<ConsentEvidence> {
    return this.evidence.export(principal, params.id, 'JSON');
  }

  /** The same evidence as a readable PDF. */
  @Get(':id/consent-evidence.pdf')
  @Roles('auditor', 'admin')
  @Header('content-type', 'application/pdf')
  @ApiFileResult('application/pdf', {
    description: 'The consent evidence of the registration as a readable PDF (the export is access-logged).',
  })
  @ApiProblems('REGISTRATION_NOT_FOUND')
  async pdf(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(registrationIdParam) params: { id: string },
  ): Promise<StreamableFile> {
    const evidence = await this.evidence.export(principal, params.id, 'PDF');
    return new StreamableFile(await renderEvidencePdf(evidence), {
      type: 'application/pdf',
      disposition: `attachment; filename="consent-evidence-${params.id}.pdf"`,
    });
  }

  /** Who read or exported this registration's consent data (reading it is itself logged). */
  @Get(':id/consent-access-log')
  @Roles('auditor', 'admin')
  @ApiResult(consentAccessLogView, {
    description: 'The access-log entries about the registration, newest first.',
  })
  @ApiProblems('REGISTRATION_NOT_FOUND')
  async accessLogOf(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(registrationIdParam) params: { id: string },
  ): Promise<AccessLogEntry[]> {
    await this.evidence.visible(principal, params.id);
    await this.accessLog.record({
      principal,
      action: 'ACCESS_LOG_READ',
      resourceType: 'registration',
      resourceId: params.id,
      organisationId: principal.organisationId,
      registrationId: params.id,
      purpose: 'AUDIT',
    });
    return this.accessLog.entriesOf({ registrationId: params.id });
  }
}
