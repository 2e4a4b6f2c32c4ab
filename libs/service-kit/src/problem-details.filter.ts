import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import { createLogger } from '@divit/observability';
import { isDatabaseUnavailableError } from '@divit/persistence';
import { isDomainError, statusFor } from './domain-error';
import { PayloadTooLargeError } from './http/http-app';
import { RequestValidationError } from './zod-validation.pipe';

interface HttpResponse {
  status(code: number): HttpResponse;
  setHeader(name: string, value: string): void;
  send(body: string): void;
}
interface HttpRequest {
  originalUrl?: string;
  url?: string;
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code?: string;
  errors?: { field: string; message: string }[];
  [extension: string]: unknown;
}

/**
 * Every error leaves as RFC 9457 `application/problem+json`. Domain errors map through their module's
 * status table; validation errors name each bad field; an unavailable or overloaded database (pool
 * acquire timeout, statement timeout, lost connection) is a 503 with Retry-After; anything else is a 500
 * without internals.
 * Errors are logged by name and code only, never the raw exception or request body.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = createLogger('ProblemDetailsFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<HttpResponse>();
    const request = http.getRequest<HttpRequest>();
    const problem = this.toProblem(exception);
    problem.instance = (request.originalUrl ?? request.url ?? '').split('?')[0];
    if (problem.status >= 500) this.logger.error('request failed', exception, { status: problem.status });
    if (problem.status === 503) response.setHeader('retry-after', '5');
    // The rest of an oversized body is not read: close rather than drain the connection.
    if (problem.status === 413) response.setHeader('connection', 'close');
    response.status(problem.status);
    response.setHeader('content-type', 'application/problem+json');
    response.send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown): ProblemDocument {
    if (exception instanceof RequestValidationError) {
      return {
        type: 'urn:divit:problem:validation',
        title: 'The request is invalid',
        status: 400,
        code: 'VALIDATION_FAILED',
        detail: `${exception.errors.length} field(s) are invalid: ${exception.errors.map((e) => e.field).join(', ')}`,
        errors: exception.errors,
      };
    }
    if (isDomainError(exception)) {
      const error = exception;
      const status = statusFor(error.code) ?? 500;
      return {
        type: `urn:divit:problem:${error.code.toLowerCase().replace(/_/g, '-')}`,
        title: error.code,
        status,
        code: error.code,
        detail: error.message,
        ...(error.details ?? {}),
      };
    }
    if (exception instanceof PayloadTooLargeError) {
      return {
        type: 'urn:divit:problem:payload-too-large',
        title: 'Payload Too Large',
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        detail: `The request body is larger than this route accepts (${exception.limitBytes} bytes).`,
      };
    }
    if (isDatabaseUnavailableError(exception)) {
      // Pool exhausted (acquire timeout), statement or idle-in-transaction timeout, connection lost.
      return {
        type: 'urn:divit:problem:database-unavailable',
        title: 'Service Unavailable',
        status: 503,
        code: 'DATABASE_UNAVAILABLE',
        detail: 'The service cannot reach its database right now; retry later.',
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { type: 'about:blank', title: HttpStatus[status] ?? 'Error', status, detail: exception.message };
    }
    return {
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred.',
    };
  }
}
