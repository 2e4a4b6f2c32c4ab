import { randomUUID } from 'node:crypto';
import { isAdultOn } from '../common/calendar-date';
import type { AllocationMemberRow } from './allocations.repository';

export interface StatedCoResident {
  surnamePrefix?: string | undefined;
  surname: string;
  birthDate: string;
}

/**
 * The allocated household by pseudonym: the home seeker first, then the co-residents in the order given,
 * each with a new member id and adulthood on the lease start date. Only adult co-residents keep their
 * stated surname and birth date; for everyone else they are dropped here (data minimisation).
 */
export function composeHousehold(
  homeSeekerBirthDate: string,
  coResidents: readonly StatedCoResident[],
  leaseStartDate: string,
  newId: () => string = randomUUID,
): AllocationMemberRow[] {
  const homeSeeker: AllocationMemberRow = {
    id: newId(),
    position: 0,
    role: 'HOME_SEEKER',
    adult: isAdultOn(homeSeekerBirthDate, leaseStartDate),
    surnamePrefix: null,
    surname: null,
    birthDate: null,
  };
  return [
    homeSeeker,
    ...coResidents.map((c, index): AllocationMemberRow => {
      const adult = isAdultOn(c.birthDate, leaseStartDate);
      return {
        id: newId(),
        position: index + 1,
        role: 'CO_RESIDENT',
        adult,
        surnamePrefix: adult ? (c.surnamePrefix ?? null) : null,
        surname: adult ? c.surname : null,
        birthDate: adult ? c.birthDate : null,
      };
    }),
  ];
}
