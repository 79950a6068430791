import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import type { Message, Workspace } from '../domain/models.js';
import { isUniqueViolation } from '../store/database.js';
import { draftOutbound, resolveSender, writeOutbound, type DraftInput } from './outbound.js';
import { fingerprint } from './secrets.js';

type Deps = Pick<AppContext, 'db' | 'clock' | 'ids' | 'events' | 'queue'>;

export interface SendMessageInput extends DraftInput {
  idempotencyKey?: string | undefined;
}

export interface SendMessageResult {
  message: Message;
  /** True when an earlier request with the same Idempotency-Key already created it. */
  replayed: boolean;
}

/**
 * Sends one message: validated, consent-checked and queued in one transaction.
 * With an Idempotency-Key, the same key and body returns the first message; the same
 * key with a different body is a conflict.
 */
export async function sendMessage(deps: Deps, workspace: Workspace, input: SendMessageInput): Promise<SendMessageResult> {
  const key = input.idempotencyKey;
  if (key !== undefined && (key.length === 0 || key.length > 255)) {
    throw new AppError('validation_error', 'Idempotency-Key must be 1–255 characters', { field: 'Idempotency-Key' });
  }
  const requestHash = fingerprint({
    from: input.from,
    to: input.to,
    body: input.body,
    sendAt: input.sendAt,
    category: input.category,
    // As sent, not as resolved against the workspace: a retry of the same request replays
    // even if the workspace setting changed in between. Absent, it leaves the fingerprint
    // (and so keys stored before smart encoding existed) as it was.
    smartEncoding: input.smartEncoding,
    allowSensitiveContent: input.allowSensitiveContent,
  });
  if (key !== undefined) {
    const replay = await findReplay(deps, workspace, key, requestHash);
    if (replay) return { message: replay, replayed: true };
  }
  const number = await resolveSender(deps, workspace, input.from);
  const draft = draftOutbound(deps, workspace, number, input);
  try {
    const written = await deps.db.transaction(async (repos) => {
      const result = await writeOutbound(deps, repos, draft);
      if (!result.ok) throw result.error;
      if (key !== undefined) {
        await repos.idempotency.insert(workspace.id, key, requestHash, result.message.id, result.message.createdAt);
      }
      return result;
    });
    deps.events.publish({ type: 'message.created', workspaceId: workspace.id, data: written.message });
    deps.events.publish({ type: 'conversation.updated', workspaceId: workspace.id, data: written.conversation });
    deps.queue.notify();
    return { message: written.message, replayed: false };
  } catch (error) {
    // Two requests with one key raced: the loser answers with the winner's message.
    if (key !== undefined && isUniqueViolation(error)) {
      const replay = await findReplay(deps, workspace, key, requestHash);
      if (replay) return { message: replay, replayed: true };
    }
    throw error;
  }
}

async function findReplay(deps: Deps, workspace: Workspace, key: string, requestHash: string): Promise<Message | null> {
  const existing = await deps.db.repos.idempotency.find(workspace.id, key);
  if (!existing) return null;
  if (existing.requestHash !== requestHash) {
    throw new AppError(
      'idempotency_key_reused',
      'this Idempotency-Key was already used with a different request body',
      { field: 'Idempotency-Key' },
    );
  }
  return deps.db.repos.messages.findById(existing.messageId);
}
