import { Bsn } from '../bsn/bsn';

/** Gender as BV BSN knows it: M, V, or O (onbekend/X). */
export type BvBsnGender = 'M' | 'V' | 'O';

/** Zoekpad 2: BSN + surname (geslachtsnaam) + birth date + gender. */
export interface Zoekpad2Query {
  zoekpad: 2;
  bsn: Bsn;
  surname: string;
  birthDate: string;
  /** null when not known (co-residents at allocation): BV BSN then checks BSN, surname and birth date. */
  gender: BvBsnGender | null;
}

/** Zoekpad 1: BSN + birth date + gender + postcode + house number (returns the registered surname). */
export interface Zoekpad1Query {
  zoekpad: 1;
  bsn: Bsn;
  birthDate: string;
  gender: BvBsnGender | null;
  postcode: string;
  houseNumber: number;
  houseNumberAddition: string | null;
}

export type BvBsnQuery = Zoekpad1Query | Zoekpad2Query;

/** The person as registered in the BRP, as far as BV BSN tells: never the BSN itself. */
export interface BvBsnPerson {
  surnamePrefix: string | null;
  surname: string;
  birthDate: string;
}

export type BvBsnAnswer = { found: true; person: BvBsnPerson } | { found: false };

/** BV BSN did not answer (timeout, TLS, 5xx): a technical error, not a failed validation. */
export class BvBsnUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BvBsnUnavailableError';
  }
}

/** Port to RvIG's BV BSN check; implemented by the SIMULATOR and by the real HTTP adapter. */
export abstract class BvBsnPort {
  abstract readonly label: string;
  abstract check(query: BvBsnQuery): Promise<BvBsnAnswer>;
}
