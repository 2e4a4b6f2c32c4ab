import { isInfrastructureError, isPermanent, MessagingError, PermanentHandlerError } from './errors';

describe('failure classification', () => {
  it('treats registry and database outages as infrastructure, not as bad messages', () => {
    expect(isInfrastructureError(new MessagingError('SCHEMA_REGISTRY_UNAVAILABLE', 'down'))).toBe(true);
    expect(
      isInfrastructureError(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      ),
    ).toBe(true);
    expect(isInfrastructureError(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(
      true,
    );
    expect(isInfrastructureError({ driverError: { code: '08006' } })).toBe(true);
    expect(isInfrastructureError(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('treats decode problems and handler errors as message failures', () => {
    expect(isInfrastructureError(new MessagingError('UNKNOWN_SCHEMA_ID', 'x'))).toBe(false);
    expect(isInfrastructureError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isPermanent(new MessagingError('NOT_CONFLUENT_FRAMED', 'x'))).toBe(true);
    expect(isPermanent(new MessagingError('SCHEMA_REGISTRY_UNAVAILABLE', 'x'))).toBe(false);
    expect(isPermanent(new PermanentHandlerError('REFERENCE_UNKNOWN', 'x'))).toBe(true);
    expect(isPermanent(new Error('boom'))).toBe(false);
  });
});
