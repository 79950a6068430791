import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import type { BusinessNumber, Contact, Conversation, Message, Workspace } from '../domain/models.js';
import { parsePhone } from '../domain/phone-number.js';
import type { Page } from '../store/cursor.js';

type Deps = Pick<AppContext, 'db'>;

export interface ConversationView extends Conversation {
  contact: Contact;
  number: BusinessNumber;
}

async function withParties(deps: Deps, conversations: Conversation[]): Promise<ConversationView[]> {
  const [contacts, numbers] = await Promise.all([
    deps.db.repos.contacts.findByIds([...new Set(conversations.map((c) => c.contactId))]),
    deps.db.repos.numbers.findByIds([...new Set(conversations.map((c) => c.numberId))]),
  ]);
  const contactById = new Map(contacts.map((c) => [c.id, c]));
  const numberById = new Map(numbers.map((n) => [n.id, n]));
  return conversations.flatMap((conversation) => {
    const contact = contactById.get(conversation.contactId);
    const number = numberById.get(conversation.numberId);
    return contact && number ? [{ ...conversation, contact, number }] : [];
  });
}

export async function listConversations(
  deps: Deps,
  workspace: Workspace,
  limit: number,
  cursor?: string,
): Promise<Page<ConversationView>> {
  const page = await deps.db.repos.conversations.list(workspace.id, limit, cursor);
  return { data: await withParties(deps, page.data), nextCursor: page.nextCursor };
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
