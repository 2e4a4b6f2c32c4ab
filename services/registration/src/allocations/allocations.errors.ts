import { DomainError, registerErrorStatuses } from '@divit/service-kit';

/** Codes are unique across the service's modules (one status lookup for all tables). */
export type AllocationErrorCode =
  | 'ALLOCATED_REGISTRATION_UNKNOWN'
  | 'ALLOCATED_REGISTRATION_NOT_ACTIVE'
  | 'LETTING_CORPORATION_UNKNOWN'
  | 'LETTING_CORPORATION_NOT_A_CORPORATION'
  | 'LETTING_CORPORATION_NOT_A_MEMBER'
  | 'LETTING_CORPORATION_NOT_THE_ORGANISATION'
  | 'NO_ROUTE_AT_LEASE_START'
  | 'ALLOCATION_EXISTS'
  | 'ALLOCATION_NOT_FOUND';

export const allocationErrorStatus = registerErrorStatuses({
  ALLOCATED_REGISTRATION_UNKNOWN: 422,
  ALLOCATED_REGISTRATION_NOT_ACTIVE: 422,
  LETTING_CORPORATION_UNKNOWN: 422,
  LETTING_CORPORATION_NOT_A_CORPORATION: 422,
  LETTING_CORPORATION_NOT_A_MEMBER: 422,
  LETTING_CORPORATION_NOT_THE_ORGANISATION: 422,
  NO_ROUTE_AT_LEASE_START: 422,
  ALLOCATION_EXISTS: 409,
  ALLOCATION_NOT_FOUND: 404,
} satisfies Record<AllocationErrorCode, number>);

export class AllocationError extends DomainError<AllocationErrorCode> {}
