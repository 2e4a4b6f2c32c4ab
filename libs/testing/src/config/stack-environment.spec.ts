import { stackEnvironment } from './stack-environment';

describe('stackEnvironment', () => {
  it('passes on the stack addresses that are set, and nothing else', () => {
    expect(
      stackEnvironment({
        KAFKA_BROKERS: '127.0.0.1:29092',
        SCHEMA_REGISTRY_URL: 'http://127.0.0.1:28081/apis/ccompat/v7',
        PGPORT: '',
        DB_PASSWORD: 'not a stack address',
      }),
    ).toEqual({
      KAFKA_BROKERS: '127.0.0.1:29092',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:28081/apis/ccompat/v7',
    });
    expect(stackEnvironment({})).toEqual({});
  });
});
