import { postgresOptions, serviceDataSourceOptions } from './data-source-options';
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

describe('serviceDataSourceOptions', () => {
  const config = {
    PGHOST: 'db.internal',
    PGPORT: 6543,
    DB_NAME: 'divit_consent',
    DB_USER: 'consent',
    DB_POOL_SIZE: 4,
    DB_POOL_ACQUIRE_TIMEOUT_MS: 300,
    DB_IDLE_IN_TX_TIMEOUT_MS: 4000,
    DB_STATEMENT_TIMEOUT_MS: 2000,
  };
  class Migration1 {}

  it('maps the platform database keys, names the connection after the service and keeps the shared conventions', () => {
    const options = serviceDataSourceOptions('consent', config, { entities: [], migrations: [Migration1] });
    expect(options).toMatchObject({
      type: 'postgres',
      host: 'db.internal',
      port: 6543,
      database: 'divit_consent',
      username: 'consent',
      migrations: [Migration1],
      migrationsTableName: 'schema_migrations',
      synchronize: false,
      migrationsRun: false,
    });
    expect(options).not.toHaveProperty('password');
    expect(options.extra).toEqual({
      max: 4,
      application_name: 'consent',
      connectionTimeoutMillis: 300,
      statement_timeout: 2000,
      idle_in_transaction_session_timeout: 4000,
    });
  });

  it('passes a configured password', () => {
    const options = serviceDataSourceOptions(
      'consent',
      { ...config, DB_PASSWORD: 'pw' },
      { entities: [], migrations: [] },
    );
    expect(options).toMatchObject({ password: 'pw' });
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
