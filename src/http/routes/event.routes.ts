import type { ServerResponse } from 'node:http';
import type { ParleyApp } from '../server.js';
import type { AppContext } from '../../context.js';
import type { ParleyEvent } from '../../domain/ports.js';
import { workspaceOf } from '../auth.js';
import { presentConversation, presentMessage, presentNote } from '../presenters.js';
import { withParties } from '../../app/queries.js';

const HEARTBEAT_MS = 15_000;

/**
 * One frame per event. A conversation is sent as the API presents it (contact, number,
 * assignee, unread; preview masked), which takes a read of its parties: done once per
 * event for every open stream of the process (the bus hands each stream the same object).
 * Null when the thread's parties are gone.
 */
function frameOf(ctx: AppContext, memo: WeakMap<ParleyEvent, Promise<string | null>>, event: ParleyEvent): Promise<string | null> {
  const known = memo.get(event);
  if (known) return known;
  const frame = (async (): Promise<string | null> => {
    let data: unknown;
    if (event.type === 'conversation.updated') {
      const [view] = await withParties(ctx, [event.data]);
      if (!view) return null;
      data = presentConversation(view);
    } else if (event.type === 'note.created') {
      data = presentNote(event.data);
    } else {
      data = presentMessage(event.data);
    }
    return `event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
  })();
  memo.set(event, frame);
  return frame;
}

/** Server-Sent Events for the caller's workspace; streams are closed when the server stops. */
export async function eventRoutes(app: ParleyApp, ctx: AppContext): Promise<void> {
  const open = new Set<ServerResponse>();
  const frames = new WeakMap<ParleyEvent, Promise<string | null>>();
  app.addHook('preClose', async () => {
    for (const stream of open) stream.end();
    open.clear();
  });

  app.get(
    '/v1/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Live events: message.created, message.updated, conversation.updated (the full conversation), note.created',
      },
    },
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
      // Frames leave in the order the events came, even when one waits for a read.
      let sending: Promise<void> = Promise.resolve();
      const unsubscribe = ctx.events.subscribe(workspace.id, (event) => {
        const frame = frameOf(ctx, frames, event);
        sending = sending
          .then(() => frame)
          .then((text) => {
            if (text !== null && open.has(stream)) stream.write(text);
          })
          .catch((error: unknown) => ctx.log.warn({ err: error, type: event.type }, 'could not send a live event'));
      });
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
