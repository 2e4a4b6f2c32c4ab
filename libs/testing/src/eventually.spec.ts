import { eventually, EventuallyTimeout } from './eventually';

describe('eventually', () => {
  it('resolves with the first value the condition accepts', async () => {
    let n = 0;
    const value = await eventually(() => ++n, {
      description: 'n to reach 3',
      until: (v) => v >= 3,
      intervalMs: 1,
    });
    expect(value).toBe(3);
  });

  it('without a condition, retries while the probe throws (a block of expects)', async () => {
    let n = 0;
    const value = await eventually(
      () => {
        n += 1;
        expect(n).toBeGreaterThan(2);
        return n;
      },
      { description: 'the third call', intervalMs: 1 },
    );
    expect(value).toBe(3);
  });

  it('throws at its deadline with the description and the last value, never returning it', async () => {
    const error = await eventually(() => Promise.resolve({ rows: 1 }), {
      description: 'two income rows',
      until: (v) => v.rows === 2,
      timeoutMs: 50,
      intervalMs: 10,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventuallyTimeout);
    expect((error as EventuallyTimeout).message).toMatch(
      /^timed out after \d+ ms \(limit 50 ms, \d+ attempts\) waiting for two income rows; last value: \{"rows":1\}$/,
    );
    expect((error as EventuallyTimeout).lastValue).toEqual({ rows: 1 });
  });

  it('throws at its deadline with the last error as message and cause', async () => {
    const cause = new Error('connection refused');
    const error = await eventually(
      () => {
        throw cause;
      },
      { description: 'the service to answer', timeoutMs: 30, intervalMs: 5 },
    ).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /waiting for the service to answer; last error: connection refused$/,
    );
    expect((error as Error).cause).toBe(cause);
  });

  it('probes at least once even with a zero timeout', async () => {
    const probe = jest.fn(() => 'ready');
    await expect(eventually(probe, { description: 'ready', timeoutMs: 0 })).resolves.toBe('ready');
    expect(probe).toHaveBeenCalledTimes(1);
  });

  it('keeps a long last value short in the message', async () => {
    const error: Error = await eventually(() => 'x'.repeat(5000), {
      description: 'a short string',
      until: (v) => v.length < 10,
      timeoutMs: 0,
    }).then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );
    expect(error.message.length).toBeLessThan(2300);
    expect(error.message).toContain('(5002 characters)');
  });
});
