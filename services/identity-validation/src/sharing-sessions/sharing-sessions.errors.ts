import { DomainError, registerErrorStatuses } from '@divit/service-kit';

export type SharingSessionErrorCode =
  | 'RECEIPT_MALFORMED'
  | 'RECEIPT_KEY_UNKNOWN'
  | 'RECEIPT_SIGNATURE_INVALID'
  | 'RECEIPT_PURPOSE_NOT_BSN'
  | 'RECEIPT_PURPOSE_MISMATCH'
  | 'RECEIPT_ORGANISATION_MISMATCH'
  | 'RECEIPT_ALREADY_USED'
  | 'CONSENT_WITHDRAWN'
  | 'IDENTITY_DATA_NOT_YET_RECEIVED'
  | 'ALLOCATION_NOT_YET_RECEIVED'
  | 'ALLOCATION_CLOSED'
  | 'ALLOCATION_EXEMPT'
  | 'SESSION_ALREADY_ACTIVE'
  | 'SESSION_NOT_FOUND'
  | 'SESSION_NOT_AWAITING_CONFIRMATION'
  | 'DVMG_UNAVAILABLE';

export const sharingSessionErrorStatus = registerErrorStatuses({
  RECEIPT_MALFORMED: 422,
  // The consent service's key may not have reached this service yet: retry later.
  RECEIPT_KEY_UNKNOWN: 409,
  RECEIPT_SIGNATURE_INVALID: 422,
  RECEIPT_PURPOSE_NOT_BSN: 422,
  RECEIPT_PURPOSE_MISMATCH: 422,
  RECEIPT_ORGANISATION_MISMATCH: 403,
  RECEIPT_ALREADY_USED: 409,
  CONSENT_WITHDRAWN: 409,
  // The identifying data (or allocation) travels on another topic and may not have arrived yet: retry later.
  IDENTITY_DATA_NOT_YET_RECEIVED: 409,
  ALLOCATION_NOT_YET_RECEIVED: 409,
  ALLOCATION_CLOSED: 409,
  ALLOCATION_EXEMPT: 409,
  SESSION_ALREADY_ACTIVE: 409,
  // Another organisation's session is "not found", never "forbidden": existence does not leak.
  SESSION_NOT_FOUND: 404,
  SESSION_NOT_AWAITING_CONFIRMATION: 409,
  DVMG_UNAVAILABLE: 503,
} satisfies Record<SharingSessionErrorCode, number>);

export class SharingSessionError extends DomainError<SharingSessionErrorCode> {
  constructor(code: SharingSessionErrorCode, message: string, retryable = false) {
    super(code, message, { retryable });
  }
}

export type DeliveryErrorCode =
  | 'DELIVERY_MALFORMED'
  | 'DELIVERY_SIGNATURE_INVALID'
  | 'DELIVERY_SESSION_UNKNOWN'
  | 'DELIVERY_REPLAYED'
  | 'DELIVERY_SESSION_CLOSED'
  | 'DELIVERY_SESSION_EXPIRED'
  | 'DELIVERY_KIND_MISMATCH'
  | 'DELIVERY_BSN_INVALID';

export const deliveryErrorStatus = registerErrorStatuses({
  DELIVERY_MALFORMED: 400,
  DELIVERY_SIGNATURE_INVALID: 401,
  DELIVERY_SESSION_UNKNOWN: 404,
  DELIVERY_REPLAYED: 409,
  DELIVERY_SESSION_CLOSED: 409,
  DELIVERY_SESSION_EXPIRED: 410,
  DELIVERY_KIND_MISMATCH: 422,
  DELIVERY_BSN_INVALID: 422,
} satisfies Record<DeliveryErrorCode, number>);

/** A refused DvMG delivery. Messages never contain the dataset (it may hold a BSN). */
export class DeliveryError extends DomainError<DeliveryErrorCode> {}
