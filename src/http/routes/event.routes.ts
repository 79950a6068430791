import type { ServerResponse } from 'node:http';
import type { ParleyApp } from '../server.js';
import type { AppContext } from '../../context.js';
import type { ParleyEvent } from '../../domain/ports.js';
import { workspaceOf } from '../auth.js';
import { presentMessage } from '../presenters.js';
import { maskSensitiveData } from '../../domain/sensitive-data.js';

const HEARTBEAT_MS = 15_000;

function serialize(event: ParleyEvent): string {
  const data =
    event.type === 'conversation.updated'
      ? {
          id: event.data.id,
          lastMessageAt: event.data.lastMessageAt,
          lastMessagePreview: event.data.lastMessagePreview === null ? null : maskSensitiveData(event.data.lastMessagePreview),
        }
      : presentMessage(event.data);
  return `event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Server-Sent Events for the caller's workspace; streams are closed when the server stops. */
export async function eventRoutes(app: ParleyApp, ctx: AppContext): Promise<void> {
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const stream of open) stream.end();
    open.clear();
  });

  app.get(
    '/v1/events',
    { schema: { tags: ['events'], summary: 'Live events: message.created, message.updated, conversation.updated' } },
    (request, reply) => {
      const workspace = workspaceOf(request);
      reply.hijack();
      const stream = reply.raw;
      stream.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      stream.write(`retry: 3000\n: connected to ${workspace.id}\n\n`);
      open.add(stream);
      const unsubscribe = ctx.events.subscribe(workspace.id, (event) => stream.write(serialize(event)));
      const heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), HEARTBEAT_MS);
      const close = (): void => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(stream);
      };
      request.raw.on('close', close);
      stream.on('close', close);
    },
  );
}
