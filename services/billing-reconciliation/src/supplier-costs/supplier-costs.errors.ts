import { DomainError, registerErrorStatuses } from '@divit/service-kit';

export type SupplierCostErrorCode = 'SUPPLIER_COST_NOT_FOUND' | 'SUPPLIER_COST_CONFLICT';

export const supplierCostErrorStatus = registerErrorStatuses({
  SUPPLIER_COST_NOT_FOUND: 404,
  SUPPLIER_COST_CONFLICT: 409,
} satisfies Record<SupplierCostErrorCode, number>);

export class SupplierCostError extends DomainError<SupplierCostErrorCode> {}
