import { RegistrationCreatedEvent, RegistrationDeregisteredEvent } from '@divit/contracts';
import { AvroSerde } from '@divit/messaging';
import {
  registrationCreatedLayout,
  registrationDeregisteredLayout,
} from './imported-registrations.announcer';

describe('registrationCreatedLayout (set-based Avro bodies for imported registrations)', () => {
  const serde = new AvroSerde({ registryUrl: 'http://registry.invalid', autoRegister: false });

  it('builds byte-for-byte the body avsc encodes, for any ids, dates and time', () => {
    for (const occurredAt of [0, 1, 1763900000000, 2 ** 52]) {
      const layout = registrationCreatedLayout(serde, occurredAt);
      for (const [registrationId, organisationId, registrationDate] of [
        ['6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b', '0b8e6d3c-1a2b-4c3d-8e4f-5a6b7c8d9e0f', '2019-03-14'],
        ['00000000-0000-4000-8000-000000000000', 'ffffffff-ffff-4fff-bfff-ffffffffffff', '1970-01-01'],
      ] as const) {
        const expected = serde.encodeBody(RegistrationCreatedEvent, {
          registrationId,
          organisationId,
          registrationDate,
          origin: 'IMPORT',
          occurredAt,
        });
        expect(layout.encode({ registrationId, organisationId, registrationDate })).toEqual(expected);
      }
    }
  });

  it('decodes back to the registration with origin IMPORT', () => {
    const layout = registrationCreatedLayout(serde, 1763900000000);
    const body = layout.encode({
      registrationId: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
      organisationId: '0b8e6d3c-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
      registrationDate: '2019-03-14',
    });
    expect(serde.typeOf(RegistrationCreatedEvent).fromBuffer(body)).toMatchObject({
      origin: 'IMPORT',
      registrationDate: '2019-03-14',
    });
  });

  it('builds byte-for-byte the RegistrationDeregistered body avsc encodes (a load that ends registrations)', () => {
    for (const occurredAt of [0, 1, 1763900000000, 2 ** 52]) {
      const layout = registrationDeregisteredLayout(serde, occurredAt);
      for (const [registrationId, organisationId] of [
        ['6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b', '0b8e6d3c-1a2b-4c3d-8e4f-5a6b7c8d9e0f'],
        ['00000000-0000-4000-8000-000000000000', 'ffffffff-ffff-4fff-bfff-ffffffffffff'],
      ] as const) {
        const expected = serde.encodeBody(RegistrationDeregisteredEvent, {
          registrationId,
          organisationId,
          occurredAt,
        });
        expect(layout.encode({ registrationId, organisationId })).toEqual(expected);
        expect(serde.typeOf(RegistrationDeregisteredEvent).fromBuffer(expected)).toEqual({
          registrationId,
          organisationId,
          occurredAt,
        });
      }
    }
  });
});
