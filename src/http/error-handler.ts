import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError, type AppError, type ErrorCode } from '../domain/errors.js';

interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

function body(code: string, message: string, field?: string): ErrorBody {
  return { error: { code, message, ...(field ? { field } : {}) } };
}

/** Turns an ajv error into the field path a client sent ("recipients.3.to"). */
function validationField(error: FastifyError): string | undefined {
  const first = error.validation?.[0];
  if (!first) return undefined;
  const params = first.params as Record<string, unknown>;
  const path = first.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const extra =
    typeof params.missingProperty === 'string'
      ? params.missingProperty
      : typeof params.additionalProperty === 'string'
        ? params.additionalProperty
        : '';
  // An error about the whole body (an array where an object belongs) names no field:
  // "body" would read as the message's own `body` property.
  return [path, extra].filter(Boolean).join('.') || undefined;
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_error',
  FST_ERR_BAD_URL: 'validation_error',
  // An id longer than the router allows could never name anything; the params schema would
  // refuse it with 400 too, were the router not first.
  FST_ERR_MAX_PARAM_LENGTH: 'validation_error',
};

/** Every error leaves in one shape: {"error":{"code","message","field?"}}. */
export function handleError(error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply): void {
  if (isAppError(error)) {
    if (error.httpStatus >= 500) request.log.error({ err: error }, error.message);
    void reply.status(error.httpStatus).send(body(error.code, error.message, error.field));
    return;
  }
  if (error.validation) {
    const field = validationField(error);
    const message = `${field ?? `request ${error.validationContext ?? 'body'}`} ${error.validation[0]?.message ?? 'is invalid'}`;
    void reply.status(400).send(body('validation_error', message, field));
    return;
  }
  const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (mapped) {
    const status = mapped === 'payload_too_large' ? 413 : mapped === 'unsupported_media_type' ? 415 : 400;
    void reply.status(status).send(body(mapped, error.message));
    return;
  }
  if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message))) {
    void reply.status(400).send(body('invalid_json', `request body is not valid JSON: ${error.message}`));
    return;
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    void reply.status(error.statusCode).send(body('validation_error', error.message));
    return;
  }
  request.log.error({ err: error }, 'unhandled error');
  void reply.status(500).send(body('internal_error', 'something went wrong; it has been logged'));
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(404).send(body('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`));
}
