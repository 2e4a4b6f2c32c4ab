import { configureLogging, createLogger, redact, REDACTED, resetLogSink } from './index';

describe('redact', () => {
  it('replaces fields named like a BSN or a secret at any depth', () => {
    expect(
      redact({
        bsn: '123456782',
        nested: { BSN_HASH_KEY: 'k', hashedBsn: 'abc', name: 'Jansen' },
        list: [{ token: 't' }],
      }),
    ).toEqual({
      bsn: REDACTED,
      nested: { BSN_HASH_KEY: REDACTED, hashedBsn: REDACTED, name: 'Jansen' },
      list: [{ token: REDACTED }],
    });
  });

  it('masks nine-digit runs in strings and numbers but keeps other numbers', () => {
    expect(redact({ msg: 'check 123456782 failed', count: 12, id: 123456782, big: 1234567890 })).toEqual({
      msg: 'check [REDACTED-9] failed',
      count: 12,
      id: '[REDACTED-9]',
      big: 1234567890,
    });
  });
});

describe('Logger', () => {
  afterEach(() => resetLogSink());

  it('writes JSON lines without a BSN even when interpolated into the message or an error', () => {
    const lines: string[] = [];
    configureLogging({ service: 'test', level: 'debug', sink: { write: (l) => lines.push(l) } });
    const logger = createLogger('Spec');
    logger.info('received 999999990 from session', { bsn: '999999990', sessionId: 's-1' });
    logger.error('failed', new Error('BV BSN rejected 999999990'));
    const all = lines.join('');
    expect(all).not.toContain('999999990');
    const first = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(first).toMatchObject({
      level: 'info',
      service: 'test',
      context: 'Spec',
      sessionId: 's-1',
      bsn: REDACTED,
    });
    const second = JSON.parse(lines[1] ?? '{}') as { error: { name: string; message: string } };
    expect(second.error).toMatchObject({ name: 'Error', message: 'BV BSN rejected [REDACTED-9]' });
  });

  it('drops records below the configured level', () => {
    const lines: string[] = [];
    configureLogging({ level: 'warn', sink: { write: (l) => lines.push(l) } });
    createLogger('Spec').info('quiet');
    createLogger('Spec').warn('loud');
    expect(lines).toHaveLength(1);
  });
});
