import { PassThrough } from 'node:stream';
import { createProgressBar } from './progress-bar';

const output = (isTTY: boolean) => {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  stream.isTTY = isTTY;
  stream.columns = 120;
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
};

describe('createProgressBar', () => {
  it('writes nothing when its stream is not a terminal', () => {
    const out = output(false);
    const bar = createProgressBar({ format: 'rows {bar} {value}/{total}', stream: out.stream });
    bar.start(10);
    bar.update(5);
    bar.stop();
    bar.stop();
    expect(out.text()).toBe('');
  });

  it('draws the bar and its final state on a terminal', () => {
    const out = output(true);
    const bar = createProgressBar<{ label: string }>({
      format: '{label} [{bar}] {percentage}% {value}/{total}',
      stream: out.stream,
    });
    bar.start(4, { label: 'checking' });
    bar.update(4, { label: 'checking' });
    bar.stop();
    expect(out.text()).toContain('checking [########################] 100% 4/4');
    expect(out.text().endsWith('\n')).toBe(true);
  });

  it('a format function gets the payload', () => {
    const out = output(true);
    const bar = createProgressBar<{ step: string }>({
      format: (_options, params, payload: { step: string }) => `step ${payload.step} at ${params.value}`,
      stream: out.stream,
    });
    bar.start(2, { step: 'merge' });
    bar.update(1, { step: 'merge' });
    bar.stop();
    expect(out.text()).toContain('step merge at 1');
  });
});
