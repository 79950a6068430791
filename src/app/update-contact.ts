import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import type { Contact, Workspace } from '../domain/models.js';
import { isValidTimeZone } from '../domain/recipient-time-zone.js';

/** Name, time zone (for quiet hours) and attributes; consent changes go through the ledger instead. */
export async function updateContact(
  deps: Pick<AppContext, 'db' | 'clock'>,
  workspace: Workspace,
  contactId: string,
  patch: { name?: string | null; timeZone?: string | null; attributes?: Record<string, string> },
): Promise<Contact> {
  const contact = await deps.db.repos.contacts.findInWorkspace(workspace.id, contactId);
  if (!contact) throw new AppError('not_found', `contact ${contactId} not found`);
  if (patch.timeZone !== undefined && patch.timeZone !== null && !isValidTimeZone(patch.timeZone)) {
    throw new AppError('validation_error', `timeZone "${patch.timeZone}" is not an IANA time zone (e.g. America/Chicago)`, {
      field: 'timeZone',
    });
  }
  const name = patch.name === undefined || patch.name === null ? patch.name : patch.name.trim() || null;
  await deps.db.repos.contacts.update(
    contact.id,
    {
      ...(name !== undefined ? { name } : {}),
      ...(patch.timeZone !== undefined ? { timeZone: patch.timeZone } : {}),
      ...(patch.attributes !== undefined ? { attributes: patch.attributes } : {}),
    },
    deps.clock.now().toISOString(),
  );
  const updated = await deps.db.repos.contacts.findInWorkspace(workspace.id, contact.id);
  if (!updated) throw new AppError('not_found', `contact ${contactId} not found`);
  return updated;
}
