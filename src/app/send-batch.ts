import type { AppContext } from '../context.js';
import { AppError, isAppError } from '../domain/errors.js';
import type { MessageCategory, Workspace } from '../domain/models.js';
import { renderTemplate } from '../domain/template.js';
import { carrierEncodingOptions, draftOutbound, resolveSender, writeOutboundMany, type OutboundDraft } from './outbound.js';

type Deps = Pick<AppContext, 'db' | 'clock' | 'ids' | 'events' | 'queue'>;

export const MAX_BATCH_RECIPIENTS = 10_000;
const CHUNK_SIZE = 500;

export interface BatchInput {
  from: string;
  body: string;
  category?: MessageCategory | undefined;
  sendAt?: string | undefined;
  /** Overrides the workspace's smart encoding setting; applied to each rendered body. */
  smartEncoding?: boolean | undefined;
  allowSensitiveContent?: boolean | undefined;
  actor?: string | undefined;
  recipients: Array<{ to: string } & Record<string, unknown>>;
}

export interface BatchRowResult {
  to: string;
  id?: string;
  conversationId?: string;
  status?: string;
  error?: { code: string; message: string; field?: string };
}

/**
 * One send to many recipients. Each row is validated on its own and written in chunks of
 * 500 per transaction; a bad row gets an error in its result and never sinks the batch.
 */
export async function sendBatch(deps: Deps, workspace: Workspace, input: BatchInput): Promise<BatchRowResult[]> {
  if (input.recipients.length === 0) {
    throw new AppError('validation_error', 'recipients must not be empty', { field: 'recipients' });
  }
  if (input.recipients.length > MAX_BATCH_RECIPIENTS) {
    throw new AppError('validation_error', `at most ${MAX_BATCH_RECIPIENTS} recipients per batch`, {
      field: 'recipients',
    });
  }
  const number = await resolveSender(deps, workspace, input.from);
  // Read the carrier's encoding options once for the whole batch.
  const encodingOptions = await carrierEncodingOptions(deps.db.repos, number);
  const results: BatchRowResult[] = [];
  const drafts: Array<{ index: number; draft: OutboundDraft }> = [];
  input.recipients.forEach((recipient, index) => {
    const prefix = `recipients.${index}.`;
    try {
      const body = renderTemplate(input.body, recipient, `${prefix}body`);
      const draft = draftOutbound(
        deps,
        workspace,
        number,
        {
          to: String(recipient.to ?? ''),
          body,
          category: input.category ?? 'marketing',
          sendAt: input.sendAt,
          smartEncoding: input.smartEncoding,
          allowSensitiveContent: input.allowSensitiveContent,
          actor: input.actor,
        },
        prefix,
      );
      results[index] = { to: draft.to };
      drafts.push({ index, draft: { ...draft, encodingOptions, bulk: true } });
    } catch (error) {
      results[index] = { to: String(recipient.to ?? ''), error: describe(error) };
    }
  });

  let created = 0;
  for (let start = 0; start < drafts.length; start += CHUNK_SIZE) {
    const chunk = drafts.slice(start, start + CHUNK_SIZE);
    // A few statements per chunk whatever its size (writeOutboundMany), not ten per row.
    const written = await deps.db.transaction((repos) => writeOutboundMany(deps, repos, chunk.map(({ draft }) => draft)));
    for (const [k, result] of written.entries()) {
      const index = chunk[k]?.index;
      const row = index === undefined ? undefined : results[index];
      if (!row) continue;
      if (result.ok) {
        created++;
        row.id = result.message.id;
        row.conversationId = result.message.conversationId;
        row.status = result.message.status;
        deps.events.publish({ type: 'message.created', workspaceId: workspace.id, data: result.message });
        deps.events.publish({ type: 'conversation.updated', workspaceId: workspace.id, data: result.conversation });
      } else {
        row.error = describe(result.error);
      }
    }
    if (created > 0) deps.queue.notify();
  }
  return results;
}

function describe(error: unknown): { code: string; message: string; field?: string } {
  if (isAppError(error)) {
    return { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) };
  }
  throw error;
}
