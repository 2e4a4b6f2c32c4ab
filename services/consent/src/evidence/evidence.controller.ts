import { Controller, Get, Header, Param, StreamableFile } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, Principal, Roles, ZodValidationPipe } from '@divit/service-kit';
import { AccessLogEntry, AccessLogService } from '@divit/access-log';
import { renderEvidencePdf } from './evidence-pdf';
import { ConsentEvidence, EvidenceService } from './evidence.service';

const registrationIdParam = z.strictObject({ id: z.uuid() });

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
  json(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(registrationIdParam)) params: { id: string },
  ): Promise<ConsentEvidence> {
    return this.evidence.export(principal, params.id, 'JSON');
  }

  /** The same evidence as a readable PDF. */
  @Get(':id/consent-evidence.pdf')
  @Roles('auditor', 'admin')
  @Header('content-type', 'application/pdf')
  async pdf(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(registrationIdParam)) params: { id: string },
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
  async accessLogOf(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(registrationIdParam)) params: { id: string },
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
