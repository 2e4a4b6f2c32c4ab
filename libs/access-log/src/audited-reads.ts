import {
  accessLogSummaryCategory,
  assertSubjectAccess,
  SUBJECT_ACCESS_ACTION,
  SUBJECT_ACCESS_PURPOSE,
  subjectAccessSection,
} from '@divit/service-kit';
import type {
  Principal,
  SubjectAccessCategory,
  SubjectAccessSection,
  SubjectAccessService,
} from '@divit/service-kit';
import type { AccessLogService } from './access-log.service';

/**
 * The steps every service takes for its section of a subject-access report (docs/adr/0032), in one place: the
 * caller must act for an organisation that owns the registration (or one it sees as a coordinator: `alsoVisible`),
 * else 404; the service's categories; a summary of the access log about the registration, taken before this read is
 * recorded; and the read itself recorded (`SUBJECT_ACCESS_EXPORTED`, purpose `SUBJECT_ACCESS`).
 */
export async function subjectAccessSectionRead(options: {
  service: SubjectAccessService;
  accessLog: AccessLogService;
  principal: Principal;
  registrationId: string;
  /** The organisations the registration belongs to in this service (none: the service does not know it, 404). */
  owners: readonly string[];
  alsoVisible?: readonly string[];
  categories: () => Promise<SubjectAccessCategory[]>;
}): Promise<SubjectAccessSection> {
  const { accessLog, principal, registrationId, owners } = options;
  assertSubjectAccess(principal, registrationId, owners, options.alsoVisible ?? []);
  const categories = await options.categories();
  const logged = await accessLog.entriesOf({ registrationId });
  await accessLog.record({
    principal,
    action: SUBJECT_ACCESS_ACTION,
    resourceType: 'registration',
    resourceId: registrationId,
    organisationId: owners[0] ?? principal.organisationId,
    registrationId,
    purpose: SUBJECT_ACCESS_PURPOSE,
  });
  return subjectAccessSection(options.service, registrationId, [
    ...categories,
    accessLogSummaryCategory(logged),
  ]);
}

/** Records that an auditor read an organisation's conformance evidence (docs/adr/0033). */
export function recordConformanceRead(
  accessLog: AccessLogService,
  principal: Principal,
  organisationId: string,
): Promise<void> {
  return accessLog.record({
    principal,
    action: 'CONFORMANCE_EVIDENCE_READ',
    resourceType: 'organisation',
    resourceId: organisationId,
    organisationId,
    purpose: 'AUDIT',
  });
}
