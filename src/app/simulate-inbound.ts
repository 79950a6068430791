import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import type { Message, Workspace } from '../domain/models.js';
import { validateBody } from '../domain/message-body.js';
import { parsePhone } from '../domain/phone-number.js';
import { SimulatorCarrier, type HandsetMessage } from '../carriers/simulator/simulator.carrier.js';

type Deps = Pick<AppContext, 'db' | 'carriers'>;

async function simulatorFor(deps: Deps, workspace: Workspace, to: string): Promise<{ carrier: SimulatorCarrier; phone: string }> {
  const phone = parsePhone(to, workspace.defaultCountry, 'to').value;
  const number = await deps.db.repos.numbers.findByPhone(phone);
  if (!number || number.workspaceId !== workspace.id) {
    throw new AppError('not_found', `${phone} is not a number of this workspace`, { field: 'to' });
  }
  const record = await deps.db.repos.carriers.findById(number.carrierId);
  if (!record || record.type !== 'simulator') {
    throw new AppError('not_a_simulator_number', `${phone} is not on a simulator carrier`, { field: 'to' });
  }
  const carrier = await deps.carriers.ensure(record);
  if (!(carrier instanceof SimulatorCarrier)) {
    throw new AppError('not_a_simulator_number', `${phone} is not on a simulator carrier`, { field: 'to' });
  }
  return { carrier, phone };
}

/**
 * A virtual handset texts a simulator number. The text travels through the simulator
 * carrier and the same inbound use-case a real carrier uses.
 */
export async function simulateInbound(
  deps: Deps,
  workspace: Workspace,
  input: { from: string; to: string; body: string },
): Promise<Message> {
  const from = parsePhone(input.from, workspace.defaultCountry, 'from').value;
  const body = validateBody(input.body);
  const { carrier, phone } = await simulatorFor(deps, workspace, input.to);
  const carrierMessageId = await carrier.inbound(from, phone, body);
  const message = await deps.db.repos.messages.findInboundByCarrierMessageId(carrier.id, carrierMessageId);
  if (!message) throw new AppError('internal_error', 'the simulated text was not stored');
  return message;
}

/** What a virtual handset on a simulator number's network has sent and received. */
export async function handsetMessages(
  deps: Deps,
  workspace: Workspace,
  handset: string,
  businessNumber: string,
): Promise<HandsetMessage[]> {
  const phone = parsePhone(handset, workspace.defaultCountry, 'phone').value;
  const { carrier } = await simulatorFor(deps, workspace, businessNumber);
  return carrier.handsetMessages(phone);
}
