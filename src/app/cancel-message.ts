import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import type { Message, Workspace } from '../domain/models.js';

type Deps = Pick<AppContext, 'db' | 'clock' | 'events'>;

/** Cancels a scheduled or queued message; once the carrier may have it, it is too late. */
export async function cancelMessage(deps: Deps, workspace: Workspace, id: string): Promise<Message> {
  const message = await deps.db.repos.messages.findInWorkspace(workspace.id, id);
  if (!message) throw new AppError('not_found', `message ${id} not found`);
  const outcome = await deps.db.transaction((repos) =>
    repos.messages.transition(id, 'canceled', deps.clock.now().toISOString(), { errorCode: 'canceled_by_user' }, 'api'),
  );
  if (!outcome.applied || !outcome.message) {
    throw new AppError('not_cancelable', `message ${id} is ${outcome.message?.status ?? message.status} and can no longer be canceled`);
  }
  deps.events.publish({ type: 'message.updated', workspaceId: workspace.id, data: outcome.message });
  return outcome.message;
}
