import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import type { Conversation, Note, Team, Template, User, Workspace } from '../domain/models.js';
import { validateBody } from '../domain/message-body.js';
import { mergeFieldNames, renderTemplate } from '../domain/template.js';
import type { Page } from '../store/cursor.js';
import type { InboxPatch, InboxView } from '../store/conversation.repository.js';
import { withParties, type ConversationView } from './queries.js';

type Deps = Pick<AppContext, 'db' | 'clock' | 'ids' | 'events'>;

/** Who does something in the inbox: a signed-in person, or a program with an API key. */
export interface InboxActor {
  user: User | null;
  apiKeyPrefix: string | null;
}

export const INBOX_VIEWS = ['open', 'mine', 'unassigned', 'closed', 'snoozed'] as const;

export interface InboxQuery {
  /** Absent: every thread of the workspace (what GET /v1/conversations always answered). */
  view?: (typeof INBOX_VIEWS)[number] | undefined;
  q?: string | undefined;
  /** The signed-in user ('mine' needs one). */
  userId?: string | null | undefined;
}

/**
 * The inbox list, newest activity first. `open`: open and not snoozed (a snooze that ran out
 * counts as open); `mine`: that, assigned to the signed-in user; `unassigned`: that, with
 * nobody; `closed`; `snoozed` (an addition): open with a snooze still running.
 */
export async function listInbox(
  deps: Deps,
  workspace: Workspace,
  query: InboxQuery,
  limit: number,
  cursor?: string,
): Promise<Page<ConversationView>> {
  const view: InboxView = query.view ?? 'all';
  if (view === 'mine' && !query.userId) {
    throw new AppError(
      'validation_error',
      'view=mine lists the threads assigned to the signed-in person; an API key is not a person (use a session, or filter another view)',
      { field: 'view' },
    );
  }
  const q = query.q?.trim();
  const page = await deps.db.repos.conversations.listInbox(
    workspace.id,
    {
      view,
      now: deps.clock.now().toISOString(),
      ...(query.userId ? { userId: query.userId } : {}),
      ...(q ? { q } : {}),
    },
    limit,
    cursor,
  );
  return { data: await withParties(deps, page.data), nextCursor: page.nextCursor };
}

/** `{userId}`, `{teamId}` or neither (nobody); the user or team must belong to the workspace. */
export async function assignConversation(
  deps: Deps,
  workspace: Workspace,
  id: string,
  to: { userId?: string | undefined; teamId?: string | undefined },
): Promise<ConversationView> {
  if (to.userId !== undefined && to.teamId !== undefined) {
    throw new AppError('validation_error', 'assign to a user or to a team, not both', { field: 'teamId' });
  }
  if (to.userId !== undefined && !(await deps.db.repos.inbox.findUser(workspace.id, to.userId))) {
    throw new AppError('validation_error', `userId ${to.userId} is not a user of this workspace`, { field: 'userId' });
  }
  if (to.teamId !== undefined && !(await deps.db.repos.inbox.findTeam(workspace.id, to.teamId))) {
    throw new AppError('validation_error', `teamId ${to.teamId} is not a team of this workspace`, { field: 'teamId' });
  }
  return change(deps, workspace, id, { assigneeUserId: to.userId ?? null, assigneeTeamId: to.teamId ?? null });
}

export function closeConversation(deps: Deps, workspace: Workspace, id: string): Promise<ConversationView> {
  return change(deps, workspace, id, { status: 'closed', snoozedUntil: null });
}

export function reopenConversation(deps: Deps, workspace: Workspace, id: string): Promise<ConversationView> {
  return change(deps, workspace, id, { status: 'open', snoozedUntil: null });
}

/** Out of the open views until `until` (ISO, in the future); a closed thread is reopened, snoozed. */
export function snoozeConversation(deps: Deps, workspace: Workspace, id: string, until: string): Promise<ConversationView> {
  const at = new Date(until);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(until) || Number.isNaN(at.getTime())) {
    throw new AppError('validation_error', 'until must be an ISO 8601 date-time, e.g. 2026-12-01T09:00:00Z', { field: 'until' });
  }
  if (at.getTime() <= deps.clock.now().getTime()) {
    throw new AppError('validation_error', 'until must be in the future', { field: 'until' });
  }
  return change(deps, workspace, id, { status: 'open', snoozedUntil: at.toISOString() });
}

/** Read by someone: no longer unread until the next inbound message. */
export function markConversationRead(deps: Deps, workspace: Workspace, id: string): Promise<ConversationView> {
  return change(deps, workspace, id, { lastReadAt: deps.clock.now().toISOString() });
}

async function change(deps: Deps, workspace: Workspace, id: string, patch: InboxPatch): Promise<ConversationView> {
  const updated = await deps.db.repos.conversations.updateInbox(workspace.id, id, patch);
  if (!updated) throw new AppError('not_found', `conversation ${id} not found`);
  deps.events.publish({ type: 'conversation.updated', workspaceId: workspace.id, data: updated });
  return view(deps, updated);
}

async function view(deps: Deps, conversation: Conversation): Promise<ConversationView> {
  const [found] = await withParties(deps, [conversation]);
  if (!found) throw new AppError('not_found', `conversation ${conversation.id} not found`);
  return found;
}

async function conversationIn(deps: Deps, workspace: Workspace, id: string): Promise<Conversation> {
  const conversation = await deps.db.repos.conversations.findInWorkspace(workspace.id, id);
  if (!conversation) throw new AppError('not_found', `conversation ${id} not found`);
  return conversation;
}

const MAX_NOTES = 1000;

/** A thread's internal notes, oldest first. */
export async function listNotes(deps: Deps, workspace: Workspace, conversationId: string): Promise<Note[]> {
  const conversation = await conversationIn(deps, workspace, conversationId);
  return deps.db.repos.inbox.listNotes(conversation.id, MAX_NOTES);
}

/** An internal note: stored and shown to staff, never sent to the contact. */
export async function addNote(
  deps: Deps,
  workspace: Workspace,
  conversationId: string,
  body: string,
  actor: InboxActor,
): Promise<Note> {
  const conversation = await conversationIn(deps, workspace, conversationId);
  const note: Note = {
    id: deps.ids.next(),
    workspaceId: workspace.id,
    conversationId: conversation.id,
    authorUserId: actor.user?.id ?? null,
    authorLabel: actor.user ? actor.user.name : `API key ${actor.apiKeyPrefix ?? 'unknown'}`,
    body: validateBody(body, 'body'),
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.db.repos.inbox.insertNote(note);
  deps.events.publish({ type: 'note.created', workspaceId: workspace.id, data: note });
  return note;
}

export function listTeams(deps: Deps, workspace: Workspace): Promise<Team[]> {
  return deps.db.repos.inbox.listTeams(workspace.id);
}

export async function createTeam(deps: Deps, workspace: Workspace, name: string): Promise<Team> {
  const trimmed = nameOf(name);
  if (await deps.db.repos.inbox.findTeamByName(workspace.id, trimmed)) {
    throw new AppError('already_exists', `a team named "${trimmed}" already exists`, { field: 'name' });
  }
  const team: Team = { id: deps.ids.next(), workspaceId: workspace.id, name: trimmed, createdAt: deps.clock.now().toISOString() };
  try {
    await deps.db.repos.inbox.insertTeam(team);
  } catch (error) {
    // Two requests raced for the name; the unique index decided.
    if (await deps.db.repos.inbox.findTeamByName(workspace.id, trimmed)) {
      throw new AppError('already_exists', `a team named "${trimmed}" already exists`, { field: 'name' });
    }
    throw error;
  }
  return team;
}

/** The merge fields a template may use; each is filled from the thread when it is used. */
export const TEMPLATE_FIELDS = ['contact.name', 'contact.phoneNumber', 'business.name'] as const;

export function listTemplates(deps: Deps, workspace: Workspace): Promise<Template[]> {
  return deps.db.repos.inbox.listTemplates(workspace.id);
}

/** A saved reply; its body is checked like a message body, and only known merge fields are allowed. */
export async function createTemplate(deps: Deps, workspace: Workspace, input: { name: string; body: string }): Promise<Template> {
  const body = validateBody(input.body, 'body');
  const unknown = mergeFieldNames(body).filter((field) => !(TEMPLATE_FIELDS as readonly string[]).includes(field));
  if (unknown.length > 0) {
    throw new AppError(
      'validation_error',
      `unknown merge field {{${unknown[0]}}}; templates may use ${TEMPLATE_FIELDS.map((f) => `{{${f}}}`).join(', ')}`,
      { field: 'body' },
    );
  }
  const template: Template = {
    id: deps.ids.next(),
    workspaceId: workspace.id,
    name: nameOf(input.name),
    body,
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.db.repos.inbox.insertTemplate(template);
  return template;
}

export async function deleteTemplate(deps: Deps, workspace: Workspace, id: string): Promise<void> {
  if (!(await deps.db.repos.inbox.deleteTemplate(workspace.id, id))) {
    throw new AppError('not_found', `template ${id} not found`);
  }
}

/**
 * A template filled in for one thread: what the agent would send. A field with no value
 * (a contact without a name) is refused, naming it, rather than sent as "Hi ,".
 */
export async function renderTemplateFor(
  deps: Deps,
  workspace: Workspace,
  templateId: string,
  conversationId: string,
): Promise<string> {
  const template = await deps.db.repos.inbox.findTemplate(workspace.id, templateId);
  if (!template) throw new AppError('not_found', `template ${templateId} not found`);
  const thread = await view(deps, await conversationIn(deps, workspace, conversationId));
  return renderTemplate(
    template.body,
    {
      'contact.name': thread.contact.name,
      'contact.phoneNumber': thread.contact.phoneNumber,
      'business.name': workspace.compliance.brandName ?? workspace.name,
    },
    'body',
  );
}

function nameOf(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) throw new AppError('validation_error', 'name must not be empty', { field: 'name' });
  return trimmed;
}
