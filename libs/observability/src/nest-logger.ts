import { createLogger, Logger } from './logger';

/**
 * Adapter so NestJS' own messages go through the redacting JSON logger.
 * Structurally a Nest `LoggerService` (this library does not depend on Nest).
 */
export class JsonNestLogger {
  private readonly loggers = new Map<string, Logger>();

  private for(context: unknown): Logger {
    const name = typeof context === 'string' ? context : 'Nest';
    let logger = this.loggers.get(name);
    if (!logger) {
      logger = createLogger(name);
      this.loggers.set(name, logger);
    }
    return logger;
  }

  log(message: unknown, context?: unknown): void {
    this.for(context).info(String(message));
  }
  error(message: unknown, _stack?: unknown, context?: unknown): void {
    // Nest passes stack traces as strings; they can include request data, so only the message is kept.
    this.for(context).log('error', String(message));
  }
  warn(message: unknown, context?: unknown): void {
    this.for(context).warn(String(message));
  }
  debug(message: unknown, context?: unknown): void {
    this.for(context).debug(String(message));
  }
  verbose(message: unknown, context?: unknown): void {
    this.for(context).debug(String(message));
  }
}
