import { BsnPurpose } from '../receipts/receipt-verifier';
import { BvBsnGender } from './bvbsn.port';

/**
 * Which zoekpaden a check runs, in order: a new registration tries zoekpad 2, then zoekpad 1 (which may
 * correct the surname); an existing registration and a co-resident at allocation only zoekpad 2.
 */
export function zoekpadenFor(purpose: BsnPurpose): readonly (1 | 2)[] {
  switch (purpose) {
    case 'BSN_AT_REGISTRATION':
      return [2, 1];
    case 'BSN_FOR_EXISTING_REGISTRATION':
      return [2];
    case 'BSN_AND_INCOME_AT_ALLOCATION':
      return [2];
  }
}

/** The passport's gender marker for BV BSN: X is sent as O; unknown stays null. */
export function toBvBsnGender(marker: string | null): BvBsnGender | null {
  switch (marker?.trim().toUpperCase()) {
    case 'M':
      return 'M';
    case 'V':
      return 'V';
    case 'X':
      return 'O';
    default:
      return null;
  }
}

/** Compares names as BV BSN does in this model: case, accents-insensitive is not assumed; trims and folds case. */
export function sameName(a: string, b: string): boolean {
  return a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Dutch postcode normalised to "1234AB". */
export function normalisePostcode(postcode: string): string {
  return postcode.replace(/\s+/g, '').toUpperCase();
}
