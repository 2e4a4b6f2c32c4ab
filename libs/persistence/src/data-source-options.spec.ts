import { postgresOptions } from './data-source-options';
import { isDatabaseUnavailableError } from './database-errors';

const base = { host: 'h', port: 5432, database: 'd', username: 'u', entities: [], migrations: [] };

describe('postgresOptions pool safety', () => {
  it('bounds the wait for a connection and sets statement and idle-in-transaction timeouts by default', () => {
    expect(postgresOptions(base).extra).toEqual({
      max: 10,
      application_name: 'divit',
      connectionTimeoutMillis: 5000,
      statement_timeout: 60_000,
      idle_in_transaction_session_timeout: 60_000,
    });
  });

  it('takes the configured values', () => {
    const options = postgresOptions({
      ...base,
      poolSize: 3,
      acquireTimeoutMs: 250,
      statementTimeoutMs: 1000,
      idleInTransactionTimeoutMs: 2000,
      applicationName: 'registration',
    });
    expect(options.extra).toEqual({
      max: 3,
      application_name: 'registration',
      connectionTimeoutMillis: 250,
      statement_timeout: 1000,
      idle_in_transaction_session_timeout: 2000,
    });
  });
});

describe('isDatabaseUnavailableError', () => {
  it('recognises pool, timeout and connection errors, also wrapped by TypeORM', () => {
    expect(isDatabaseUnavailableError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailableError(Object.assign(new Error('x'), { code: '57014' }))).toBe(true);
    expect(isDatabaseUnavailableError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    const queryFailed = Object.assign(new Error('terminating connection'), {
      driverError: Object.assign(new Error('idle'), { code: '25P03' }),
    });
    expect(isDatabaseUnavailableError(queryFailed)).toBe(true);
  });

  it('leaves request errors (constraint violations, syntax) alone', () => {
    expect(isDatabaseUnavailableError(Object.assign(new Error('dup'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailableError(new Error('something else'))).toBe(false);
    expect(isDatabaseUnavailableError(undefined)).toBe(false);
  });
});
