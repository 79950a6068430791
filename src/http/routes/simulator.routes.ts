import { Type } from '@sinclair/typebox';
import type { ParleyApp } from '../server.js';
import type { AppContext } from '../../context.js';
import { handsetMessages, simulateInbound } from '../../app/simulate-inbound.js';
import { workspaceOf } from '../auth.js';
import { presentMessage } from '../presenters.js';
import { ErrorSchema, MessageSchema, PhoneNumber, errorResponses } from '../schemas.js';

export async function simulatorRoutes(app: ParleyApp, ctx: AppContext): Promise<void> {
  app.post(
    '/v1/simulator/inbound',
    {
      schema: {
        tags: ['simulator'],
        summary: 'A virtual handset texts a simulator number',
        body: Type.Object({ from: PhoneNumber, to: PhoneNumber, body: Type.String({ maxLength: 10_000 }) }),
        response: { 201: MessageSchema, 422: ErrorSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const message = await simulateInbound(ctx, workspaceOf(request), request.body);
      return reply.status(201).send(presentMessage(message));
    },
  );

  app.get(
    '/v1/simulator/handsets/:phone/messages',
    {
      schema: {
        tags: ['simulator'],
        summary: 'What a virtual handset sent to and received from a simulator number',
        params: Type.Object({ phone: Type.String() }),
        querystring: Type.Object({ number: PhoneNumber }),
        response: {
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                direction: Type.String(),
                peer: Type.String(),
                body: Type.String(),
                carrierMessageId: Type.String(),
                at: Type.String(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => ({
      data: await handsetMessages(ctx, workspaceOf(request), request.params.phone, request.query.number),
    }),
  );
}
