import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Inject,
  Logger,
  Optional,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { AppError, ErrorCode, httpStatusOf, type RowRefusal } from './app-error.js';

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Driver error codes that mean "the database cannot be reached right now", not "the request is wrong". */
const DATABASE_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'SQLITE_BUSY',
]);

function errorCode(error: unknown): string | undefined {
  const own = (error as { code?: unknown } | null)?.code;
  const driver = (error as { driverError?: { code?: unknown } } | null)?.driverError?.code;
  return typeof own === 'string' ? own : typeof driver === 'string' ? driver : undefined;
}

function isUniqueViolation(driverError: unknown): boolean {
  const code = (driverError as { code?: string } | undefined)?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  code?: string;
  field?: string;
  rows?: readonly RowRefusal[];
}

/** Turns every error into Nest's shape {statusCode, error, message}; domain errors keep their code and field. */
export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof AppError) {
    const statusCode = httpStatusOf(exception.code);
    return {
      statusCode,
      error: REASON[statusCode],
      message: exception.message,
      code: exception.code,
      field: exception.field,
      ...(exception.rows ? { rows: exception.rows } : {}),
    };
  }
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'object') {
      const body = response as Partial<ErrorBody>;
      return {
        statusCode,
        error: body.error ?? REASON[statusCode] ?? 'Error',
        message: body.message ?? exception.message,
      };
    }
    return { statusCode, error: REASON[statusCode] ?? 'Error', message: response };
  }
  if (exception instanceof QueryFailedError && isUniqueViolation(exception.driverError)) {
    // A race past the service's own duplicate check: still a conflict, never a 500.
    return {
      statusCode: 409,
      error: REASON[409],
      message: 'a record with the same unique value already exists',
      code: ErrorCode.Duplicate,
    };
  }
  if (DATABASE_UNAVAILABLE.has(errorCode(exception) ?? '')) {
    return { statusCode: 503, error: REASON[503], message: 'the database is unavailable; try again shortly' };
  }
  return { statusCode: 500, error: REASON[500], message: 'Internal server error' };
}

/**
 * How an error reaches a person rather than a program (a login redirect, a Chinese error page).
 * The pages provide it under PAGE_ERROR_RENDERER; the filter calls it when it is there, so the
 * shared error handling does not depend on the pages.
 */
export interface PageErrorRenderer {
  /** Answers the request with a page and returns true; false when the request is not a page's (the API). */
  render(req: Request, res: Response, body: ErrorBody): boolean;
}

export const PAGE_ERROR_RENDERER = Symbol('PAGE_ERROR_RENDERER');

/** JSON in Nest's shape for the API; a page's request goes to the PageErrorRenderer when one is provided. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpException');

  constructor(@Optional() @Inject(PAGE_ERROR_RENDERER) private readonly pages?: PageErrorRenderer) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const response = ctx.getResponse<Response>();
    const request = ctx.getRequest<Request>();
    const body = toErrorBody(exception);
    if (body.statusCode >= 500) {
      this.logger.error(
        `${request.method} ${request.originalUrl} failed`,
        exception instanceof Error ? exception.stack : String(exception),
      );
    }
    if (response.headersSent) {
      return;
    }
    if (body.statusCode === 503) {
      response.setHeader('Retry-After', '5');
    }
    if (exception instanceof AppError && exception.retryAfter !== undefined) {
      response.setHeader('Retry-After', String(exception.retryAfter));
    }
    if (this.pages?.render(request, response, body)) {
      return;
    }
    response.status(body.statusCode).json(body);
  }
}
