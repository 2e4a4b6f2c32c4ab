/**
 * Asks the six services for their sections of one registration's subject-access report, through the typed
 * clients (libs/api-clients). Registration answers first: billing keeps no registration ids, so it is asked about
 * the registration's allocations as registration lists them. A service that does not answer 200 fails the whole
 * request (no silently partial report).
 */
import type { SubjectAccessSection, SubjectAccessService } from '@divit/service-kit';
import type { Clients } from '../demo/lib';
import { SubjectAccessReportError } from './report';

interface Answer {
  data?: unknown;
  error?: unknown;
  response?: Response;
}

function sectionOf(service: SubjectAccessService, answer: Answer): SubjectAccessSection {
  const status = answer.response?.status;
  if (status !== 200 || answer.data === undefined) {
    const code =
      answer.error && typeof answer.error === 'object' && 'code' in answer.error
        ? ` ${String(answer.error.code)}`
        : '';
    throw new SubjectAccessReportError(
      `${service} did not answer the subject-access request (HTTP ${status ?? '-'}${code})`,
    );
  }
  return answer.data as SubjectAccessSection;
}

/** Calls a service; a refused connection becomes "did not answer" naming the service. */
async function ask(
  service: SubjectAccessService,
  call: () => Promise<Answer>,
): Promise<SubjectAccessSection> {
  let answer: Answer;
  try {
    answer = await call();
  } catch (e) {
    throw new SubjectAccessReportError(
      `${service} did not answer the subject-access request (${e instanceof Error ? e.message : 'no answer'})`,
    );
  }
  return sectionOf(service, answer);
}

/** The allocation ids registration's section lists (category `allocations`). */
export function allocationIdsOf(registration: SubjectAccessSection): string[] {
  const allocations = registration.categories.find((c) => c.category === 'allocations')?.records ?? [];
  return allocations.map((r) => r.allocationId).filter((id): id is string => typeof id === 'string');
}

export async function collectSections(
  clients: Clients,
  registrationId: string,
): Promise<Record<SubjectAccessService, SubjectAccessSection>> {
  const params = { params: { path: { registrationId } } };
  const registration = await ask('registration', () =>
    clients.registration.GET('/subject-access/{registrationId}', params),
  );
  const allocationIds = allocationIdsOf(registration);
  return {
    registration,
    consent: await ask('consent', () => clients.consent.GET('/subject-access/{registrationId}', params)),
    'identity-validation': await ask('identity-validation', () =>
      clients['identity-validation'].GET('/subject-access/{registrationId}', params),
    ),
    'income-retrieval': await ask('income-retrieval', () =>
      clients['income-retrieval'].GET('/subject-access/{registrationId}', params),
    ),
    'billing-reconciliation': await ask('billing-reconciliation', () =>
      clients['billing-reconciliation'].GET('/subject-access/{registrationId}', {
        params: {
          path: { registrationId },
          query: allocationIds.length ? { allocationIds: allocationIds.join(',') } : {},
        },
      }),
    ),
    'retention-cleanup': await ask('retention-cleanup', () =>
      clients['retention-cleanup'].GET('/subject-access/{registrationId}', params),
    ),
  };
}
