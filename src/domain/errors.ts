/**
 * One error type for the whole core. Every failure Parley reports has a stable
 * snake_case code; the HTTP layer maps codes to statuses through ERROR_HTTP_STATUS,
 * so domain and use-cases never think about HTTP.
 */
export const ERROR_HTTP_STATUS = {
  validation_error: 400,
  invalid_json: 400,
  invalid_number: 400,
  invalid_cursor: 400,
  body_too_long: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  idempotency_key_reused: 409,
  already_exists: 409,
  not_cancelable: 409,
  recipient_opted_out: 422,
  sensitive_content: 422,
  frequency_capped: 422,
  sender_not_found: 422,
  carrier_not_found: 422,
  carrier_type_unsupported: 422,
  not_a_simulator_number: 422,
  rate_limited: 429,
  internal_error: 500,
  store_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;

export interface AppErrorOptions {
  field?: string;
  retryable?: boolean;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.field = options.field;
    this.retryable = options.retryable ?? false;
  }

  get httpStatus(): number {
    return ERROR_HTTP_STATUS[this.code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
