import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import type { BusinessNumber, Contact, Conversation, Message, Workspace } from '../domain/models.js';
import { parsePhone } from '../domain/phone-number.js';
import type { Page } from '../store/cursor.js';

type Deps = Pick<AppContext, 'db'>;

/** Who works a thread, with the name to show. */
export interface Assignee {
  type: 'user' | 'team';
  id: string;
  name: string;
}

export interface ConversationView extends Conversation {
  contact: Contact;
  number: BusinessNumber;
  assignee: Assignee | null;
}

/** Threads with their contact, business number and assignee, in a few reads for a whole page. */
export async function withParties(deps: Deps, conversations: Conversation[]): Promise<ConversationView[]> {
  const distinct = (values: Array<string | null>): string[] => [...new Set(values.filter((v): v is string => v !== null))];
  const [contacts, numbers, users, teams] = await Promise.all([
    deps.db.repos.contacts.findByIds(distinct(conversations.map((c) => c.contactId))),
    deps.db.repos.numbers.findByIds(distinct(conversations.map((c) => c.numberId))),
    deps.db.repos.inbox.usersByIds(distinct(conversations.map((c) => c.assigneeUserId))),
    deps.db.repos.inbox.teamsByIds(distinct(conversations.map((c) => c.assigneeTeamId))),
  ]);
  const contactById = new Map(contacts.map((c) => [c.id, c]));
  const numberById = new Map(numbers.map((n) => [n.id, n]));
  const userById = new Map(users.map((u) => [u.id, u]));
  const teamById = new Map(teams.map((t) => [t.id, t]));
  return conversations.flatMap((conversation) => {
    const contact = contactById.get(conversation.contactId);
    const number = numberById.get(conversation.numberId);
    const user = conversation.assigneeUserId === null ? undefined : userById.get(conversation.assigneeUserId);
    const team = conversation.assigneeTeamId === null ? undefined : teamById.get(conversation.assigneeTeamId);
    const assignee: Assignee | null = user
      ? { type: 'user', id: user.id, name: user.name }
      : team
        ? { type: 'team', id: team.id, name: team.name }
        : null;
    return contact && number ? [{ ...conversation, contact, number, assignee }] : [];
  });
}


export async function getConversation(deps: Deps, workspace: Workspace, id: string): Promise<ConversationView> {
  const conversation = await deps.db.repos.conversations.findInWorkspace(workspace.id, id);
  const [view] = conversation ? await withParties(deps, [conversation]) : [];
  if (!view) throw new AppError('not_found', `conversation ${id} not found`);
  return view;
}

export async function listConversationMessages(
  deps: Deps,
  workspace: Workspace,
  id: string,
  limit: number,
  cursor?: string,
): Promise<Page<Message>> {
  const conversation = await deps.db.repos.conversations.findInWorkspace(workspace.id, id);
  if (!conversation) throw new AppError('not_found', `conversation ${id} not found`);
  return deps.db.repos.messages.listForConversation(conversation.id, limit, cursor);
}

export async function getMessage(deps: Deps, workspace: Workspace, id: string): Promise<Message> {
  const message = await deps.db.repos.messages.findInWorkspace(workspace.id, id);
  if (!message) throw new AppError('not_found', `message ${id} not found`);
  return message;
}

export async function listContacts(
  deps: Deps,
  workspace: Workspace,
  filter: { phoneNumber?: string | undefined },
  limit: number,
  cursor?: string,
): Promise<Page<Contact>> {
  const phoneNumber =
    filter.phoneNumber === undefined
      ? undefined
      : parsePhone(filter.phoneNumber, workspace.defaultCountry, 'phoneNumber').value;
  return deps.db.repos.contacts.list(workspace.id, phoneNumber === undefined ? {} : { phoneNumber }, limit, cursor);
}

export async function getContact(deps: Deps, workspace: Workspace, id: string): Promise<Contact> {
  const contact = await deps.db.repos.contacts.findInWorkspace(workspace.id, id);
  if (!contact) throw new AppError('not_found', `contact ${id} not found`);
  return contact;
}
