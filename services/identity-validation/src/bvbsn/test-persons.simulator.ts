/**
 * SIMULATOR test data: fictional test persons for the BV BSN and DvMG simulators. Every BSN is in the
 * 99999xxxx range used for test BSNs, passes the eleven-test and belongs to no real person; names and
 * addresses are invented. Used only when BVBSN_MODE / DVMG_MODE is `simulator`.
 */
export interface SimulatedIncome {
  taxYear: number;
  amountCents: number;
  kind: 'AGGREGATE_INCOME' | 'TAXABLE_WAGE';
}

export interface SimulatedTestPerson {
  bsn: string;
  surnamePrefix: string | null;
  surname: string;
  givenName: string;
  birthDate: string;
  gender: 'M' | 'V' | 'O';
  postcode: string;
  houseNumber: number;
  incomes: SimulatedIncome[];
}

export const SIMULATED_TEST_PERSONS: readonly SimulatedTestPerson[] = [
  {
    bsn: '999990019',
    surnamePrefix: 'van der',
    surname: 'Testhuizen',
    givenName: 'Anna',
    birthDate: '1990-04-12',
    gender: 'V',
    postcode: '1234AB',
    houseNumber: 10,
    incomes: [
      { taxYear: 2023, amountCents: 3_150_000, kind: 'AGGREGATE_INCOME' },
      { taxYear: 2024, amountCents: 3_275_000, kind: 'AGGREGATE_INCOME' },
      { taxYear: 2025, amountCents: 3_390_000, kind: 'AGGREGATE_INCOME' },
    ],
  },
  {
    bsn: '999990032',
    surnamePrefix: null,
    surname: 'Simulatorsma',
    givenName: 'Bram',
    birthDate: '1985-11-03',
    gender: 'M',
    postcode: '9711AA',
    houseNumber: 5,
    incomes: [
      { taxYear: 2024, amountCents: 2_480_000, kind: 'TAXABLE_WAGE' },
      { taxYear: 2025, amountCents: 2_555_000, kind: 'TAXABLE_WAGE' },
    ],
  },
  {
    bsn: '999990044',
    surnamePrefix: null,
    surname: 'Proefpersoon',
    givenName: 'Charlie',
    birthDate: '2000-01-31',
    gender: 'O',
    postcode: '3511BC',
    houseNumber: 42,
    incomes: [
      { taxYear: 2024, amountCents: 1_890_000, kind: 'AGGREGATE_INCOME' },
      { taxYear: 2025, amountCents: 1_960_000, kind: 'AGGREGATE_INCOME' },
    ],
  },
  {
    bsn: '999990056',
    surnamePrefix: 'de',
    surname: 'Voorbeeld',
    givenName: 'Dirk',
    birthDate: '1978-06-21',
    gender: 'M',
    postcode: '5611CD',
    houseNumber: 7,
    incomes: [{ taxYear: 2025, amountCents: 4_120_000, kind: 'AGGREGATE_INCOME' }],
  },
  {
    bsn: '999990068',
    surnamePrefix: null,
    surname: 'Fictief',
    givenName: 'Eva',
    birthDate: '1995-09-09',
    gender: 'V',
    postcode: '6811DE',
    houseNumber: 3,
    incomes: [
      { taxYear: 2024, amountCents: 2_200_000, kind: 'TAXABLE_WAGE' },
      { taxYear: 2025, amountCents: 2_310_000, kind: 'AGGREGATE_INCOME' },
    ],
  },
];

export function findTestPerson(bsn: string): SimulatedTestPerson | undefined {
  return SIMULATED_TEST_PERSONS.find((p) => p.bsn === bsn);
}

/** The latest income DvMG would deliver: the most recent tax year before the current one. */
export function latestIncome(person: SimulatedTestPerson, now = new Date()): SimulatedIncome | null {
  const candidates = person.incomes.filter((i) => i.taxYear < now.getUTCFullYear());
  return candidates.sort((a, b) => b.taxYear - a.taxYear)[0] ?? null;
}
