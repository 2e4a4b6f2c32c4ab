import { completeElements, ConsentTestApp } from './support';

/** Issue 13, item 5: a NUL byte in a consent text is refused at the schema (400), never stored or a 5xx. */
describe('consent: input bounds (real PostgreSQL, Kafka, registry)', () => {
  const t = new ConsentTestApp();
  let org = '';

  beforeAll(async () => {
    await t.start();
    org = await t.organisationWithRouteA();
  }, 120_000);
  afterAll(() => t.stop());

  it.each([
    [
      'legalDuty.text',
      (e: Record<string, { text: string }>) => ({
        ...e,
        legalDuty: { ...e.legalDuty, text: 'plicht\u0000' },
      }),
    ],
    [
      'controllerIdentity.contact',
      (e: Record<string, { text: string }>) => ({
        ...e,
        controllerIdentity: { ...e.controllerIdentity, contact: 'privacy@\u001bexample.org' },
      }),
    ],
  ])('a control character in elements.%s answers 400 and stores nothing', async (field, change) => {
    const elements = change(completeElements('BSN_AT_REGISTRATION') as Record<string, { text: string }>);
    const res = await t.call('POST', '/consent-texts', t.admin(org), {
      organisationId: org,
      audience: 'HOME_SEEKER',
      purpose: 'BSN_AT_REGISTRATION',
      language: 'nl',
      elements,
    });
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    expect((res.json.errors as { field: string }[]).map((e) => e.field)).toEqual([`elements.${field}`]);
    expect(await t.count('consent_texts')).toBe(0);
  });

  it('keeps line breaks in a consent text', async () => {
    const elements = completeElements('BSN_AT_REGISTRATION') as Record<string, { text: string }>;
    const res = await t.call('POST', '/consent-texts', t.admin(org), {
      organisationId: org,
      audience: 'HOME_SEEKER',
      purpose: 'BSN_AT_REGISTRATION',
      language: 'nl',
      elements: { ...elements, legalDuty: { ...elements.legalDuty, text: 'regel 1\nregel 2' } },
    });
    expect(res.status).toBe(201);
  });
});
