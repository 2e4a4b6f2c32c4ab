import { configureLogging, resetLogSink } from './logger';
import { stopMetrics } from './metrics';
import { runService } from './run-service';

const config = { LOG_LEVEL: 'info' as const, OTEL_SDK_DISABLED: true, PORT: 1 };

describe('runService', () => {
  afterEach(async () => {
    resetLogSink();
    await stopMetrics();
  });

  it('loads the config, then imports start and runs it with that config', async () => {
    const steps: string[] = [];
    const started: unknown[] = [];
    await runService({
      service: 'run-service-spec',
      loadConfig: () => {
        steps.push('config');
        return config;
      },
      start: () => {
        steps.push('import start');
        return Promise.resolve({ start: (c: typeof config) => Promise.resolve(void started.push(c)) });
      },
    });
    expect(steps).toEqual(['config', 'import start']);
    expect(started).toEqual([config]);
  });

  it('logs a failed start and exits with code 1', async () => {
    const lines: string[] = [];
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    configureLogging({ sink: { write: (line) => void lines.push(line) } });
    try {
      const run = runService({
        service: 'run-service-spec',
        loadConfig: () => config,
        start: () => Promise.resolve({ start: () => Promise.reject(new Error('port in use')) }),
      });
      await run;
      expect(exit).toHaveBeenCalledWith(1);
      expect(lines.join('')).toContain('service failed to start');
    } finally {
      exit.mockRestore();
    }
  });
});
