import { Type } from '@sinclair/typebox';
import type { ParleyApp } from '../server.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../domain/errors.js';

export async function healthRoutes(app: ParleyApp, ctx: AppContext): Promise<void> {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: '200 when the store is reachable',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok'), store: Type.String() }) },
      },
    },
    async () => {
      try {
        await ctx.db.ping();
      } catch (error) {
        throw new AppError('store_unavailable', 'the store is not reachable', { cause: error });
      }
      return { status: 'ok' as const, store: ctx.db.dialect };
    },
  );
}
