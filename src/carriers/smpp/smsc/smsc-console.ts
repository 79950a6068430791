import { createInterface } from 'node:readline';
import { commandStatusName } from '../pdu/index.js';
import { LocalSmsc, type LocalSmscOptions, type ReceivedMessage } from './local-smsc.js';

/**
 * The interactive side of `parley smsc`: one readable line per bind, submit and receipt, and
 * stdin lines typed as a handset's replies. Kept out of the CLI file so the parsing and the
 * wording are tested without spawning a process.
 */

export const HANDSET_USAGE = 'Type a handset reply as: +12015550123 > +12015550100 Hello there';

export type HandsetLine = { ok: true; from: string; to: string; text: string } | { ok: false; message: string };

/** Reads `FROM > TO TEXT`; numbers may be E.164, digits (short codes) or an alphanumeric sender. */
export function parseHandsetLine(line: string): HandsetLine {
  const match = /^\s*(\S+)\s*>\s*(\S+)\s+(.+?)\s*$/u.exec(line);
  if (!match) return { ok: false, message: HANDSET_USAGE };
  const [, from = '', to = '', text = ''] = match;
  return { ok: true, from, to, text };
}

function quote(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ');
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max - 1)}…` : flat);
}

function partLabel(message: ReceivedMessage): string {
  const concat = message.concatenation ?? message.sar;
  return concat ? ` part ${concat.sequence}/${concat.total}` : '';
}

export function describeSubmit(message: ReceivedMessage): string {
  const outcome = message.messageId !== '' ? `id=${message.messageId}` : `refused ${commandStatusName(message.status)}`;
  const fault = message.fault ? ` [fault: ${message.fault}]` : '';
  return (
    `submit  #${message.sessionId} ${message.sourceAddr} → ${message.destinationAddr} ` +
    `dc=${message.dataCoding}${partLabel(message)} ${outcome}${fault} ${quote(message.text)}`
  );
}

export interface SmscConsoleOptions extends LocalSmscOptions {
  /** Where lines go; default console.log. */
  print?: (line: string) => void;
  input?: NodeJS.ReadableStream;
}

/** Starts the SMSC and the handset prompt; resolves with a stop function once listening. */
export async function runSmscConsole(options: SmscConsoleOptions): Promise<{ smsc: LocalSmsc; stop: () => Promise<void> }> {
  const print = options.print ?? ((line: string) => console.log(line));
  const smsc = new LocalSmsc(options);
  smsc.on('bind', (s) => print(`bind    #${s.id} ${s.mode} ${s.systemId} from ${s.remote}`));
  smsc.on('bind_failed', (f) => print(`bind refused for "${f.systemId}" from ${f.remote}: ${commandStatusName(f.status)}`));
  smsc.on('unbind', (s) => print(`unbind  #${s.id} ${s.systemId}`));
  smsc.on('disconnect', (d) => print(`closed  #${d.sessionId}${d.systemId ? ` ${d.systemId}` : ''}`));
  smsc.on('invalid', (i) => print(`invalid #${i.sessionId}: ${i.error}`));
  smsc.on('submit', (m) => print(describeSubmit(m)));
  smsc.on('receipt', (r) => print(`receipt id=${r.messageId} → #${r.sessionId} answered ${commandStatusName(r.responseStatus ?? 0)}`));

  const port = await smsc.listen();
  const accounts = options.accounts ?? [{ systemId: 'parley', password: 'secret' }];
  print(`SMSC listening on ${options.host ?? '127.0.0.1'}:${port}${options.tls ? ' over TLS' : ''} (system id ${accounts.map((a) => a.systemId).join(', ')})`);
  print(HANDSET_USAGE);

  const lines = createInterface({ input: options.input ?? process.stdin, terminal: false });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    const parsed = parseHandsetLine(line);
    if (!parsed.ok) {
      print(parsed.message);
      return;
    }
    smsc.sendFromHandset(parsed).then(
      (result) =>
        print(
          `handset ${parsed.from} → ${parsed.to}: ${result.parts} part(s) to #${result.sessionId}, ` +
            `answered ${result.statuses.map(commandStatusName).join(', ')}`,
        ),
      (error: unknown) => print(`handset ${parsed.from} → ${parsed.to} not sent: ${error instanceof Error ? error.message : String(error)}`),
    );
  });

  return {
    smsc,
    stop: async () => {
      lines.close();
      await smsc.close();
    },
  };
}
