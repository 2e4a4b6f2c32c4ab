import { missingElements, REQUIRED_ELEMENTS, ConsentElements } from './consent-elements';

const complete = (atAllocation: boolean): ConsentElements => ({
  legalDuty: { text: 'Wettelijke plicht', data: ['SURNAME', 'BIRTH_DATE', 'INCOME'] },
  secureGovernmentConnection: { text: 'Veilig' },
  digidAtMijnOverheid: { text: 'DigiD', sharedData: atAllocation ? ['BSN', 'INCOME'] : ['BSN'] },
  bsnOnlyForSurnameAndBirthDateCheck: { text: 'Alleen controle' },
  bsnHashedAndVerifiedDataStored: { text: 'Hash' },
  reuseAtAllocation: { text: 'Hergebruik' },
  voluntaryAndWithdrawable: {
    text: 'Vrijwillig',
    noEffectOnChanceOfHome: true,
    withdrawableAnyTime: true,
    noEffectOnRegistrationTime: true,
  },
  controllerIdentity: { text: 'Verantwoordelijke', contact: 'privacy@example.org' },
  dataSubjectRights: {
    text: 'U mag uw gegevens inzien, laten verbeteren of verwijderen, bezwaar maken en een klacht indienen.',
    rights: ['ACCESS', 'RECTIFICATION', 'ERASURE', 'OBJECTION', 'COMPLAINT'],
    howToExercise: 'privacy@example.org; klachten: Autoriteit Persoonsgegevens',
  },
});

describe('missingElements', () => {
  it('accepts a complete text for every purpose', () => {
    expect(missingElements(complete(false), 'BSN_AT_REGISTRATION')).toEqual([]);
    expect(missingElements(complete(false), 'BSN_FOR_EXISTING_REGISTRATION')).toEqual([]);
    expect(missingElements(complete(true), 'BSN_AND_INCOME_AT_ALLOCATION')).toEqual([]);
  });

  it.each(REQUIRED_ELEMENTS.map((e) => [e]))('names %s when it is missing', (name) => {
    const elements: Partial<ConsentElements> = { ...complete(false) };
    delete elements[name];
    expect(missingElements(elements, 'BSN_AT_REGISTRATION')).toEqual([{ element: name, reason: 'missing' }]);
  });

  it('names every missing element, in the standard order', () => {
    expect(missingElements({}, 'BSN_AT_REGISTRATION').map((p) => p.element)).toEqual([...REQUIRED_ELEMENTS]);
  });

  it('names the rights a dataSubjectRights element leaves out (issue 16 item 7)', () => {
    const elements = {
      ...complete(false),
      dataSubjectRights: {
        ...complete(false).dataSubjectRights,
        rights: ['ACCESS' as const, 'ERASURE' as const],
      },
    };
    expect(missingElements(elements, 'BSN_AT_REGISTRATION')).toEqual([
      { element: 'dataSubjectRights', reason: 'must name the rights RECTIFICATION, OBJECTION, COMPLAINT' },
    ]);
  });

  it('treats blank text as incomplete', () => {
    const elements = { ...complete(false), reuseAtAllocation: { text: '   ' } };
    expect(missingElements(elements, 'BSN_AT_REGISTRATION')).toEqual([
      { element: 'reuseAtAllocation', reason: 'incomplete' },
    ]);
  });

  it('requires income to be named at allocation, and not asked at registration', () => {
    expect(missingElements(complete(false), 'BSN_AND_INCOME_AT_ALLOCATION')).toEqual([
      { element: 'digidAtMijnOverheid', reason: 'must say MijnOverheid asks to share INCOME' },
    ]);
    expect(missingElements(complete(true), 'BSN_AT_REGISTRATION')).toEqual([
      { element: 'digidAtMijnOverheid', reason: 'income is not shared for this purpose' },
    ]);
  });

  it('requires the legal duty to name surname, birth date and income', () => {
    const elements = { ...complete(false), legalDuty: { text: 'Plicht', data: ['SURNAME' as const] } };
    expect(missingElements(elements, 'BSN_AT_REGISTRATION')).toEqual([
      { element: 'legalDuty', reason: 'must name the data BIRTH_DATE, INCOME' },
    ]);
  });

  it('requires voluntariness, withdrawal and no effect on registration time to be stated', () => {
    const elements = {
      ...complete(false),
      voluntaryAndWithdrawable: {
        text: 'Vrijwillig',
        noEffectOnChanceOfHome: true,
        withdrawableAnyTime: true,
        noEffectOnRegistrationTime: false,
      },
    };
    expect(missingElements(elements, 'BSN_AT_REGISTRATION')).toEqual([
      { element: 'voluntaryAndWithdrawable', reason: 'must state noEffectOnRegistrationTime' },
    ]);
  });
});
