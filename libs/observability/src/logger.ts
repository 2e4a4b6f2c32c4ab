import { trace } from '@opentelemetry/api';
import { describeError, redact, scrubString } from './redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogSink {
  write(line: string): void;
}

const stdoutSink: LogSink = { write: (line) => void process.stdout.write(line) };
let sink: LogSink = stdoutSink;
let globalLevel: LogLevel = 'info';
let serviceName = 'unknown';

/** Process-wide logging settings, called once from main.ts (tests may swap the sink to capture logs). */
export function configureLogging(options: { service?: string; level?: LogLevel; sink?: LogSink }): void {
  if (options.service) serviceName = options.service;
  if (options.level) globalLevel = options.level;
  if (options.sink) sink = options.sink;
}

export function resetLogSink(): void {
  sink = stdoutSink;
}

/** A structured JSON-lines logger. Every record is redacted (see redact.ts) and carries the trace id. */
export class Logger {
  constructor(
    private readonly context: string,
    private readonly bindings: Record<string, unknown> = {},
  ) {}

  child(bindings: Record<string, unknown>): Logger {
    return new Logger(this.context, { ...this.bindings, ...bindings });
  }

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.log('warn', msg, fields);
  }
  /** Logs an error by name/code/scrubbed message; never the raw exception object. */
  error(msg: string, error?: unknown, fields?: Record<string, unknown>): void {
    this.log('error', msg, { ...fields, ...(error === undefined ? {} : { error: describeError(error) }) });
  }

  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    if (LEVELS[level] < LEVELS[globalLevel]) return;
    const span = trace.getActiveSpan()?.spanContext();
    const record: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      service: serviceName,
      context: this.context,
      msg: scrubString(msg),
      ...(span ? { trace_id: span.traceId, span_id: span.spanId } : {}),
      ...(redact({ ...this.bindings, ...fields }) as Record<string, unknown>),
    };
    sink.write(`${JSON.stringify(record)}\n`);
  }
}

export function createLogger(context: string, bindings?: Record<string, unknown>): Logger {
  return new Logger(context, bindings);
}
