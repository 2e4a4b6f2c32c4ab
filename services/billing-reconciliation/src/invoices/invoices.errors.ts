import { DomainError, registerErrorStatuses } from '@divit/service-kit';

export type InvoiceErrorCode = 'INVOICE_FILE_INVALID' | 'INVOICE_NOT_FOUND' | 'INVOICE_CONTENT_TYPE';

export const invoiceErrorStatus = registerErrorStatuses({
  INVOICE_FILE_INVALID: 422,
  INVOICE_NOT_FOUND: 404,
  INVOICE_CONTENT_TYPE: 415,
} satisfies Record<InvoiceErrorCode, number>);

export class InvoiceError extends DomainError<InvoiceErrorCode> {}
