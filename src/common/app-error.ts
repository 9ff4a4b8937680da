/** What went wrong, independent of HTTP; the exception filter maps each code to a status. */
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

export class AppError extends Error {
  /** For a RateLimited error: seconds until the caller may try again (the Retry-After header). */
  retryAfter?: number;

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

  static rateLimited(message: string, retryAfterSeconds: number): AppError {
    const error = new AppError(ErrorCode.RateLimited, message);
    error.retryAfter = Math.max(1, Math.ceil(retryAfterSeconds));
    return error;
  }
}
