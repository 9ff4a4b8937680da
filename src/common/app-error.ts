/** What went wrong, independent of HTTP; httpStatusOf below is the one place that maps a code to a status. */
export enum ErrorCode {
  NotFound = 'not_found',
  /** Data-dependent refusal the route's permission cannot express (e.g. an item of another department). */
  Forbidden = 'forbidden',
  Duplicate = 'duplicate',
  VersionConflict = 'version_conflict',
  InvalidTransition = 'invalid_transition',
  Invalid = 'invalid',
  Unauthenticated = 'unauthenticated',
  RateLimited = 'rate_limited',
}

/** One refused row of a file (a batch of findings): its line, the column, why. */
export interface RowRefusal {
  line: number;
  field: string;
  message: string;
}

export class AppError extends Error {
  /** For a RateLimited error: seconds until the caller may try again (the Retry-After header). */
  retryAfter?: number;
  /** For a file refused as a whole because of some of its rows: each of them (the answer's `rows`). */
  rows?: readonly RowRefusal[];

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The request field the error is about, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }

  static notFound(what: string): AppError {
    return new AppError(ErrorCode.NotFound, `${what} not found`);
  }

  static rowsRefused(message: string, field: string, rows: readonly RowRefusal[]): AppError {
    const error = new AppError(ErrorCode.Invalid, message, field);
    error.rows = rows;
    return error;
  }

  static rateLimited(message: string, retryAfterSeconds: number): AppError {
    const error = new AppError(ErrorCode.RateLimited, message);
    error.retryAfter = Math.max(1, Math.ceil(retryAfterSeconds));
    return error;
  }
}

/** The HTTP status of each code: the API's answers, the error pages and the refused forms all use it. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.NotFound:
      return 404;
    case ErrorCode.Forbidden:
      return 403;
    case ErrorCode.Duplicate:
    case ErrorCode.VersionConflict:
    case ErrorCode.InvalidTransition:
      return 409;
    case ErrorCode.Invalid:
      return 400;
    case ErrorCode.Unauthenticated:
      return 401;
    case ErrorCode.RateLimited:
      return 429;
  }
}
