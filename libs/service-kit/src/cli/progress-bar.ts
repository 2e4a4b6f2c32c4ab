/**
 * The one progress bar of the command-line tools (cli-progress). It draws on its stream (stderr by default,
 * so a command's result on stdout stays machine-readable) only while that stream is a terminal; anywhere
 * else (CI, a log file, a pipe) it writes nothing at all. Redrawing and throttling are cli-progress's.
 * cli-progress is loaded when a command creates its bar, not with service-kit: a running service never draws
 * one and should not carry it (issue 18, idle memory).
 */
import type { GenericFormatter, Options } from 'cli-progress';

export interface ProgressBarOptions {
  /** A cli-progress format: a template with {bar} {percentage} {value} {total} {eta_formatted} … or a function. */
  format: string | GenericFormatter;
  /** Where the bar is drawn; default process.stderr. */
  stream?: NodeJS.WritableStream;
}

export interface CliProgressBar<P extends object = object> {
  start(total: number, payload?: P): void;
  update(value: number, payload?: P): void;
  /** Draws the final state and ends the line; safe to call more than once and when never started. */
  stop(): void;
}

export function createProgressBar<P extends object = object>(options: ProgressBarOptions): CliProgressBar<P> {
  const settings: Options = {
    format: options.format,
    stream: options.stream ?? process.stderr,
    noTTYOutput: false, // quiet when the stream is not a terminal
    gracefulExit: false, // the command's own signal handling stays in charge
    hideCursor: false,
    clearOnComplete: false,
    stopOnComplete: false,
    barsize: 24,
    barCompleteChar: '#',
    barIncompleteChar: '-',
    fps: 10,
    etaBuffer: 50,
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use on purpose (see above)
  const { SingleBar } = require('cli-progress') as typeof import('cli-progress');
  const bar = new SingleBar(settings);
  return {
    start: (total, payload) => bar.start(total, 0, payload),
    update: (value, payload) => bar.update(value, payload),
    stop: () => bar.stop(),
  };
}
