import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import type { Workspace } from '../domain/models.js';
import { findSensitiveData } from '../domain/sensitive-data.js';

/**
 * The unmasked body of a message, for a person allowed to see it. Every reveal is
 * written to the audit log (who, which message, what kind of data) before it is returned.
 */
export async function revealMessageBody(
  deps: Pick<AppContext, 'db' | 'ids' | 'clock'>,
  workspace: Workspace,
  actor: string,
  messageId: string,
): Promise<{ id: string; body: string }> {
  const message = await deps.db.repos.messages.findById(messageId);
  if (!message || message.workspaceId !== workspace.id) throw new AppError('not_found', `message ${messageId} not found`);
  const kinds = [...new Set(findSensitiveData(message.body).map((match) => match.kind))];
  await deps.db.repos.audit.append({
    id: deps.ids.next(),
    workspaceId: workspace.id,
    actor,
    action: 'sensitive_content.revealed',
    targetType: 'message',
    targetId: message.id,
    detail: { kinds, direction: message.direction, conversationId: message.conversationId },
    createdAt: deps.clock.now().toISOString(),
  });
  return { id: message.id, body: message.body };
}
