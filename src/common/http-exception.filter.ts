import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { isApiPath } from './api-path.js';
import { renderErrorPage } from '../web/error-page.js';
import { AppError, ErrorCode } from './app-error.js';

function statusOf(code: ErrorCode): HttpStatus {
  switch (code) {
    case ErrorCode.NotFound:
      return HttpStatus.NOT_FOUND;
    case ErrorCode.Forbidden:
      return HttpStatus.FORBIDDEN;
    case ErrorCode.Duplicate:
    case ErrorCode.VersionConflict:
    case ErrorCode.InvalidTransition:
      return HttpStatus.CONFLICT;
    case ErrorCode.Invalid:
      return HttpStatus.BAD_REQUEST;
    case ErrorCode.Unauthenticated:
      return HttpStatus.UNAUTHORIZED;
    case ErrorCode.RateLimited:
      return HttpStatus.TOO_MANY_REQUESTS;
  }
}

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
}

/** Turns every error into Nest's shape {statusCode, error, message}; domain errors keep their code and field. */
export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof AppError) {
    const statusCode = statusOf(exception.code);
    return {
      statusCode,
      error: REASON[statusCode],
      message: exception.message,
      code: exception.code,
      field: exception.field,
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

/** JSON in Nest's shape for /api; pages get a redirect to the login form or the error page (web/error-page.ts). */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpException');

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
    if (!isApiPath(request.path)) {
      // Pages answer people: a redirect to the login form or a rendered Chinese error page.
      renderErrorPage(request, response, body);
      return;
    }
    response.status(body.statusCode).json(body);
  }
}
