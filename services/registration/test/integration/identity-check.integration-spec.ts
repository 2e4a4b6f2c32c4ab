import { randomUUID } from 'node:crypto';
import {
  ConsentGrantedEvent,
  ConsentRefusedEvent,
  ConsentWithdrawnEvent,
  IdentityValidationFailedEvent,
  IdentityValidatedEvent,
  ValidatedIdentityProvidedEvent,
} from '@divit/contracts';
import { AvroSerde, createKafka, DirectPublisher, readDeadLetters } from '@divit/messaging';
import { decisionAnswers, eventually, RegistrationTestApp } from './support';

/**
 * The consent and identity-validation services publish these events in production. Here the test plays
 * them, publishing contract events to the real broker (the contracts are generated from schemas/).
 */
describe('registration: identity data for the BSN check (consent and identity-validation events)', () => {
  const t = new RegistrationTestApp();
  let publisher: DirectPublisher;
  let org = '';

  beforeAll(async () => {
    await t.start();
    const kafka = createKafka({ brokers: t.config.KAFKA_BROKERS, clientId: `${t.prefix}peer` });
    publisher = new DirectPublisher(
      kafka,
      new AvroSerde({ registryUrl: t.config.SCHEMA_REGISTRY_URL, autoRegister: true }),
      t.topics,
      '/test/peer',
    );
    await publisher.start();
    const admin = t.platformOperator();
    org = String(
      (
        await t.call('POST', '/organisations', admin, {
          name: `Corporatie ${t.prefix}`,
          answers: decisionAnswers.routeA,
          effectiveFrom: '2024-01-01',
        })
      ).json.organisationId,
    );
  });

  afterAll(async () => {
    await publisher?.stop();
    await t.stop();
  });

  async function register(): Promise<string> {
    const res = await t.call('POST', '/registrations', t.token(org, ['allocation-system']), {
      surnamePrefix: 'de',
      surname: 'Vris',
      birthDate: '1991-04-12',
      genderMarker: 'X',
      postcode: '3011 AB',
      houseNumber: 10,
      houseNumberAddition: 'B',
      registrationDate: '2021-09-01',
    });
    expect(res.status).toBe(201);
    return String(res.json.registrationId);
  }

  const row = async (id: string) =>
    (
      await t.db.dataSource.query<Record<string, unknown>[]>(
        `SELECT identity_status, gender_marker, postcode, house_number, house_number_addition, validated_surname,
                validated_birth_date::text AS validated_birth_date, registration_date::text AS registration_date
           FROM registrations WHERE id = $1`,
        [id],
      )
    )[0];

  function until(id: string, status: string): Promise<Record<string, unknown> | undefined> {
    return eventually(() => row(id), {
      description: `registration ${id} to reach identity status ${status}`,
      until: (current) => current?.identity_status === status,
    });
  }

  const consent = (
    registrationId: string,
    purpose: 'BSN_AT_REGISTRATION' | 'BSN_FOR_EXISTING_REGISTRATION' = 'BSN_AT_REGISTRATION',
  ) => ({
    consentId: randomUUID(),
    organisationId: org,
    registrationId,
    subjectId: registrationId,
    subjectRole: 'HOME_SEEKER' as const,
    allocationId: null,
    purpose,
  });

  it('hands the identifying fields over when consent is granted, once, even when the event is redelivered', async () => {
    const id = await register();
    const granted = {
      ...consent(id),
      textVersionHash: 'ab'.repeat(32),
      receiptId: 'rcpt-1',
      grantedAt: Date.now(),
    };
    const eventId = randomUUID();
    await publisher.publish(ConsentGrantedEvent, [{ key: id, value: granted, id: eventId }]);
    await publisher.publish(ConsentGrantedEvent, [{ key: id, value: granted, id: eventId }]); // redelivery
    expect((await until(id, 'PENDING'))?.identity_status).toBe('PENDING');
    const [request, ...more] = await t.eventsMatching(
      (e) => e.type === 'nl.divit.registration.IdentityCheckRequested' && e.key === id,
      1,
    );
    expect(request?.topic).toBe('registrationIdentityData');
    expect(request?.value).toMatchObject({
      consentId: granted.consentId,
      registrationId: id,
      subjectRole: 'HOME_SEEKER',
      purpose: 'BSN_AT_REGISTRATION',
      surnamePrefix: 'de',
      surname: 'Vris',
      birthDate: '1991-04-12',
      genderMarker: 'X',
      postcode: '3011 AB',
      houseNumber: 10,
      houseNumberAddition: 'B',
    });
    // A marker on the same key (same partition, so consumed after the duplicate): once its request is
    // out, the duplicate has been consumed too, and it produced nothing.
    const marker = {
      ...consent(id, 'BSN_FOR_EXISTING_REGISTRATION'),
      textVersionHash: 'ef'.repeat(32),
      receiptId: 'rcpt-m',
      grantedAt: Date.now(),
    };
    await publisher.publish(ConsentGrantedEvent, [{ key: id, value: marker }]);
    const requests = await t.eventsMatching(
      (e) => e.type === 'nl.divit.registration.IdentityCheckRequested' && e.key === id,
      2,
    );
    expect(more).toEqual([]);
    expect(requests.map((r) => r.value.consentId)).toEqual([granted.consentId, marker.consentId]);
  });

  it('stores the validated surname and birth date and deletes the fields kept only for the check', async () => {
    const id = await register();
    const c = consent(id);
    await publisher.publish(ValidatedIdentityProvidedEvent, [
      {
        key: id,
        value: {
          registrationId: id,
          subjectId: id,
          subjectRole: 'HOME_SEEKER',
          validatedSurnamePrefix: 'de',
          validatedSurname: 'Vries',
          validatedBirthDate: '1991-04-12',
          validatedAt: Date.now(),
        },
      },
    ]);
    await publisher.publish(IdentityValidatedEvent, [
      {
        key: id,
        value: {
          consentId: c.consentId,
          registrationId: id,
          subjectId: id,
          subjectRole: 'HOME_SEEKER',
          purpose: c.purpose,
          validatedAt: Date.now(),
          allocationId: null,
        },
      },
    ]);
    const deadline = Date.now() + 30_000;
    let current = await row(id);
    while (current?.validated_surname === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      current = await row(id);
    }
    expect(current).toEqual({
      identity_status: 'VALIDATED',
      gender_marker: null,
      postcode: null,
      house_number: null,
      house_number_addition: null,
      validated_surname: 'de Vries', // zoekpad 1 corrected "Vris"
      validated_birth_date: '1991-04-12',
      registration_date: '2021-09-01',
    });
  });

  it('deletes the check fields when validation fails (U3) or consent is refused (U1), and keeps the registration date', async () => {
    const failed = await register();
    const c = consent(failed);
    await publisher.publish(IdentityValidationFailedEvent, [
      {
        key: failed,
        value: {
          consentId: c.consentId,
          registrationId: failed,
          subjectId: failed,
          subjectRole: 'HOME_SEEKER',
          purpose: c.purpose,
          failure: 'U3_BSN_CHECK_FAILED',
          failedAt: Date.now(),
          allocationId: null,
        },
      },
    ]);
    const refused = await register();
    await publisher.publish(ConsentRefusedEvent, [
      {
        key: refused,
        value: { ...consent(refused, 'BSN_FOR_EXISTING_REGISTRATION'), refusedAt: Date.now() },
      },
    ]);
    for (const id of [failed, refused]) {
      expect(await until(id, 'FAILED')).toMatchObject({
        identity_status: 'FAILED',
        gender_marker: null,
        postcode: null,
        house_number: null,
        validated_surname: null,
        registration_date: '2021-09-01',
      });
    }
  });

  /** A registration whose identity was validated (the events identity-validation publishes), at `validatedAt`. */
  async function validated(validatedAt = Date.now()): Promise<string> {
    const id = await register();
    await publisher.publish(ValidatedIdentityProvidedEvent, [
      {
        key: id,
        value: {
          registrationId: id,
          subjectId: id,
          subjectRole: 'HOME_SEEKER',
          validatedSurnamePrefix: 'de',
          validatedSurname: 'Vries',
          validatedBirthDate: '1991-04-12',
          validatedAt,
        },
      },
    ]);
    await until(id, 'VALIDATED');
    return id;
  }

  const failedAtAllocation = (
    id: string,
    failure: 'U4_HASH_MISMATCH' | 'U1_NO_CONSENT',
    failedAt: number,
  ) => ({
    key: id,
    value: {
      consentId: randomUUID(),
      registrationId: id,
      subjectId: id,
      subjectRole: 'HOME_SEEKER' as const,
      purpose: 'BSN_AND_INCOME_AT_ALLOCATION' as const,
      failure,
      failedAt,
      allocationId: randomUUID(),
    },
  });

  it('a validated identity whose hashed BSN is erased (withdrawal, failure at allocation) becomes HASH_ERASED (issue 16 item 5)', async () => {
    // Withdrawal of the registration's BSN consent erases the hash in identity-validation.
    const withdrawn = await validated();
    await publisher.publish(ConsentWithdrawnEvent, [
      { key: withdrawn, value: { ...consent(withdrawn), withdrawnAt: Date.now() + 1 } },
    ]);
    // A failure at an allocation (retention erases the hash as a failed procedure).
    const failed = await validated();
    await publisher.publish(IdentityValidationFailedEvent, [
      failedAtAllocation(failed, 'U4_HASH_MISMATCH', Date.now() + 1),
    ]);
    for (const id of [withdrawn, failed])
      expect(await until(id, 'HASH_ERASED')).toMatchObject({
        identity_status: 'HASH_ERASED',
        validated_surname: 'de Vries', // the validated surname and birth date may stay (domain: withdrawal)
        validated_birth_date: '1991-04-12',
        registration_date: '2021-09-01',
      });
    const view = await t.call('GET', `/registrations/${failed}`, t.token(org, ['allocation-system']));
    expect(view.status).toBe(200);
    expect(view.json.identity).toMatchObject({ status: 'HASH_ERASED', validatedSurname: 'de Vries' });

    // A failure from before a later validation (events of an earlier allocation arriving late) changes nothing;
    // nor does a co-resident's failure (another person's hash).
    const revalidated = await validated(Date.now() + 60_000);
    const coResident = failedAtAllocation(revalidated, 'U1_NO_CONSENT', Date.now() + 120_000);
    const ids = await publisher.publish(IdentityValidationFailedEvent, [
      failedAtAllocation(revalidated, 'U1_NO_CONSENT', Date.now()),
      {
        ...coResident,
        value: { ...coResident.value, subjectId: randomUUID(), subjectRole: 'CO_RESIDENT' as const },
      },
    ]);
    await eventually(
      async () =>
        (
          await t.db.dataSource.query<{ n: number }[]>(
            `SELECT count(*)::int AS n FROM inbox_messages WHERE event_id = ANY($1)`,
            [ids],
          )
        )[0]!.n,
      { description: 'both failures consumed', until: (n) => n === 2 },
    );
    expect((await row(revalidated))?.identity_status).toBe('VALIDATED');
    // Its own later withdrawal does.
    await publisher.publish(ConsentWithdrawnEvent, [
      { key: revalidated, value: { ...consent(revalidated), withdrawnAt: Date.now() + 180_000 } },
    ]);
    expect((await until(revalidated, 'HASH_ERASED'))?.identity_status).toBe('HASH_ERASED');
  });

  it('dead-letters an event about a registration this service never had, with the reason', async () => {
    const unknown = randomUUID();
    const granted = {
      ...consent(unknown),
      textVersionHash: 'cd'.repeat(32),
      receiptId: 'rcpt-2',
      grantedAt: Date.now(),
    };
    const [eventId] = await publisher.publish(ConsentGrantedEvent, [{ key: unknown, value: granted }]);
    const kafka = createKafka({ brokers: t.config.KAFKA_BROKERS, clientId: `${t.prefix}dlq-reader` });
    const deadline = Date.now() + 30_000;
    let letters = await readDeadLetters(kafka, t.topics.name('dlqRegistration'));
    while (!letters.some((l) => l.eventId === eventId) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      letters = await readDeadLetters(kafka, t.topics.name('dlqRegistration'));
    }
    expect(letters.find((l) => l.eventId === eventId)).toMatchObject({
      errorCode: 'REGISTRATION_UNKNOWN',
      consumerGroup: `${t.prefix}registration`, // groups are namespaced like topics
      attempts: 1,
      originalTopic: t.topics.name('consentConsents'),
    });
  });
});
