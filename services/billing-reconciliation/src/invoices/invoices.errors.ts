import { DomainError, registerErrorStatuses } from '@divit/service-kit';

export type InvoiceErrorCode =
  'INVOICE_FILE_INVALID' | 'INVOICE_NOT_FOUND' | 'INVOICE_CONTENT_TYPE' | 'INVOICE_FILE_TOO_LARGE';

export const invoiceErrorStatus = registerErrorStatuses({
  INVOICE_FILE_INVALID: 422,
  INVOICE_NOT_FOUND: 404,
  INVOICE_CONTENT_TYPE: 415,
  INVOICE_FILE_TOO_LARGE: 413,
} satisfies Record<InvoiceErrorCode, number>);

export class InvoiceError extends DomainError<InvoiceErrorCode> {}
