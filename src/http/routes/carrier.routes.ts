import { Type } from '@sinclair/typebox';
import type { ParleyApp } from '../server.js';
import type { AppContext } from '../../context.js';
import { createCarrier, createNumber, getCarrier, getNumber, listCarriers } from '../../app/carrier.service.js';
import { listUnmatchedReceipts } from '../../app/unmatched-receipts.js';
import { workspaceOf } from '../auth.js';
import { presentCarrier, presentNumber, presentUnmatchedReceipts } from '../presenters.js';
import {
  CarrierSchema,
  ErrorSchema,
  IdParams,
  NumberSchema,
  PhoneNumber,
  UnmatchedReceiptsPage,
  UnmatchedReceiptsQuery,
  errorResponses,
} from '../schemas.js';

const CarrierBody = Type.Object(
  {
    type: Type.String({ minLength: 1, description: '"simulator" or "smpp"' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: true, description: 'adapter settings sit flat beside type and name' },
);

const NumberBody = Type.Object({
  phoneNumber: PhoneNumber,
  carrierId: Type.String({ minLength: 1 }),
  kind: Type.Optional(Type.Union([Type.Literal('long_code'), Type.Literal('toll_free'), Type.Literal('short_code')])),
  mps: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10_000 })),
});

export async function carrierRoutes(app: ParleyApp, ctx: AppContext): Promise<void> {
  app.post(
    '/v1/carriers',
    {
      schema: {
        tags: ['carriers'],
        body: CarrierBody,
        response: { 201: CarrierSchema, 422: ErrorSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { type, name, ...settings } = request.body as { type: string; name: string } & Record<string, unknown>;
      const carrier = await createCarrier(ctx, workspaceOf(request), { type, name, settings });
      return reply.status(201).send(presentCarrier(carrier));
    },
  );

  app.get(
    '/v1/carriers',
    { schema: { tags: ['carriers'], response: { 200: Type.Object({ data: Type.Array(CarrierSchema) }), ...errorResponses } } },
    async (request) => ({ data: (await listCarriers(ctx, workspaceOf(request))).map(presentCarrier) }),
  );

  app.get(
    '/v1/carriers/:id',
    { schema: { tags: ['carriers'], params: IdParams, response: { 200: CarrierSchema, ...errorResponses } } },
    async (request) => presentCarrier(await getCarrier(ctx, workspaceOf(request), request.params.id)),
  );

  app.get(
    '/v1/carriers/:id/unmatched-receipts',
    {
      schema: {
        tags: ['carriers'],
        description:
          'Delivery receipts that match no message: stored ones still unmatched a minute after they arrived ' +
          '(younger ones are usually waiting for their submit response), newest first, and the ones the adapter could not parse.',
        params: IdParams,
        querystring: UnmatchedReceiptsQuery,
        response: { 200: UnmatchedReceiptsPage, ...errorResponses },
      },
    },
    async (request) => {
      const { limit = 50, cursor, before } = request.query;
      const report = await listUnmatchedReceipts(ctx, workspaceOf(request), request.params.id, {
        limit,
        ...(cursor !== undefined ? { cursor } : {}),
        ...(before !== undefined ? { before } : {}),
      });
      return presentUnmatchedReceipts(report);
    },
  );

  app.post(
    '/v1/numbers',
    {
      schema: {
        tags: ['numbers'],
        body: NumberBody,
        response: { 201: NumberSchema, 409: ErrorSchema, 422: ErrorSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const number = await createNumber(ctx, workspaceOf(request), request.body);
      return reply.status(201).send(presentNumber(number));
    },
  );

  app.get(
    '/v1/numbers',
    { schema: { tags: ['numbers'], response: { 200: Type.Object({ data: Type.Array(NumberSchema) }), ...errorResponses } } },
    async (request) => ({
      data: (await ctx.db.repos.numbers.listForWorkspace(workspaceOf(request).id)).map(presentNumber),
    }),
  );

  app.get(
    '/v1/numbers/:id',
    { schema: { tags: ['numbers'], params: IdParams, response: { 200: NumberSchema, ...errorResponses } } },
    async (request) => presentNumber(await getNumber(ctx, workspaceOf(request), request.params.id)),
  );
}
