import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import type { AppContext } from '../context.js';
import { handleError } from './error-handler.js';
import { AppError } from '../domain/errors.js';
import { SESSION_COOKIE, authenticate } from './auth.js';
import { healthRoutes } from './routes/health.routes.js';
import { carrierRoutes } from './routes/carrier.routes.js';
import { messageRoutes } from './routes/message.routes.js';
import { conversationRoutes } from './routes/conversation.routes.js';
import { simulatorRoutes } from './routes/simulator.routes.js';
import { eventRoutes } from './routes/event.routes.js';
import { apiKeyRoutes } from './routes/api-key.routes.js';
import { workspaceRoutes } from './routes/workspace.routes.js';
import { complianceRoutes } from './routes/compliance.routes.js';
import { publicSessionRoutes, sessionRoutes } from './routes/session.routes.js';
import { registerWebApp } from './static.js';
import { inboxRoutes } from './routes/inbox.routes.js';

export type ParleyApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/**
 * Bodies are validated strictly (a number where a string belongs is an error, not a
 * silent coercion); query strings and params arrive as text, so they are coerced.
 */
function validatorCompilers() {
  const common = { allErrors: false, strict: false, useDefaults: true } as const;
  const body = new Ajv({ ...common, coerceTypes: false });
  const text = new Ajv({ ...common, coerceTypes: true });
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    httpPart === 'body' ? body.compile(schema) : text.compile(schema);
}

/** Builds the HTTP server around a context. Listening is the caller's business. */
export async function buildServer(ctx: AppContext): Promise<ParleyApp> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimitBytes,
    // Per-request lines only at debug: at thousands of requests a second they drown the rest.
    logController: new LogController({
      disableRequestLogging: ctx.config.logLevel !== 'debug' && ctx.config.logLevel !== 'trace',
    }),
    return503OnClosing: true,
    // Router-level refusals (a malformed or over-long path parameter) leave in our error
    // shape too, rather than Fastify's own.
    frameworkErrors: handleError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // The API speaks JSON only. Fastify's built-in text/plain parser would hand a string to
  // the body schema and answer 400 "body must be object" instead of 415.
  app.removeContentTypeParser('text/plain');
  // Many HTTP clients send `content-type: application/json` with no body on bodiless POSTs
  // such as /cancel; treat an empty body as no body instead of invalid JSON.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    const source = typeof text === 'string' ? text : text.toString('utf8');
    if (source.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(source) as unknown);
    } catch (error) {
      done(new AppError('invalid_json', `request body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });
  app.setValidatorCompiler(validatorCompilers());
  app.setErrorHandler(handleError);
  app.decorateRequest('auth', null);
  // Before any route scope, so every request's cookies are parsed by the time it is authenticated.
  await app.register(cookie);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Parley API',
        version: '1',
        description: 'Two-way business SMS: numbers, threads, messages, consent.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await healthRoutes(app, ctx);
  await publicSessionRoutes(app, ctx);
  await app.register(async (v1) => {
    const api = v1 as unknown as ParleyApp;
    api.addHook('onRequest', authenticate(ctx));
    await sessionRoutes(api, ctx);
    await carrierRoutes(api, ctx);
    await messageRoutes(api, ctx);
    await conversationRoutes(api, ctx);
    await simulatorRoutes(api, ctx);
    await eventRoutes(api, ctx);
    await apiKeyRoutes(api, ctx);
    await workspaceRoutes(api, ctx);
    await complianceRoutes(api, ctx);
    await inboxRoutes(api, ctx);
  });
  // Last: the web app answers what no route above does (and sets the not-found handler).
  await registerWebApp(app, ctx);
  return app;
}
