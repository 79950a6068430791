import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type DeliverSm, type Pdu, PduReader, type SubmitSm, encodePdu, submitSm } from '../src/carriers/smpp/pdu/index.js';
import { SmppSession } from '../src/carriers/smpp/session/index.js';

const BIN = path.resolve('bin/parley');
const WINDOW = 100;
const TIMEOUT_MS = 120_000;

export interface Smsc {
  child: ChildProcess;
  port: number;
}

/**
 * `parley smsc` in its own process on a free port, receipts after `receiptDelayMs` (default
 * immediately). Its console prints a line per submit and receipt: after the listening line
 * stdout is read and discarded.
 */
export async function startSmsc(receiptDelayMs = 0): Promise<Smsc> {
  const child = spawn(BIN, ['smsc', '--port', '0', '--receipt-delay', String(receiptDelayMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stdout = child.stdout;
  if (stdout === null) throw new Error('parley smsc: no stdout');
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      const match = /listening on [^\s:]+:(\d+)/.exec(seen);
      if (match) {
        stdout.off('data', onData);
        child.off('exit', onExit);
        stdout.resume(); // flowing with no listener: later output is discarded
        resolve(Number(match[1]));
      } else if (seen.length > 64 * 1024) {
        seen = seen.slice(-1024);
      }
    };
    const onExit = (code: number | null): void => reject(new Error(`parley smsc exited (${code}) before listening`));
    stdout.on('data', onData);
    child.once('exit', onExit);
  });
  return { child, port };
}

export async function stopSmsc(smsc: Smsc): Promise<void> {
  const { child } = smsc;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function benchSubmit(i: number, sequenceNumber = 0): SubmitSm {
  return submitSm({
    sequenceNumber,
    sourceAddr: '12015550100',
    destinationAddr: `1201555${String(1000 + (i % 9000))}`,
    shortMessage: new TextEncoder().encode(`Order ${i} has shipped.`),
  });
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Parley's SmppSession: window 100, no tps limit; N submits + N receipts. Returns ms. */
async function sessionRun(port: number, messages: number): Promise<number> {
  let receipts = 0;
  let allReceipts: () => void = () => {};
  const receiptsDone = new Promise<void>((resolve) => {
    allReceipts = resolve;
  });
  const session = new SmppSession(
    { host: '127.0.0.1', port, systemId: 'parley', password: 'secret', windowSize: WINDOW },
    {
      onDeliver: () => {
        if (++receipts === messages) allReceipts();
        return Promise.resolve(0);
      },
    },
  );
  await session.connect();
  try {
    const start = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < messages) {
        const i = next++;
        const response = await session.request(benchSubmit(i));
        if (response.status !== 0) throw new Error(`submit_sm ${i} → status ${response.status}`);
      }
    };
    await withTimeout(Promise.all([...Array.from({ length: WINDOW }, worker), receiptsDone]), 'session run');
    return performance.now() - start;
  } finally {
    await session.close();
  }
}

/** Bare codec: raw socket + PduReader + encodePdu, same PDUs, ≤ 100 unanswered. Returns ms. */
export async function bareRun(port: number, messages: number): Promise<number> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const reader = new PduReader();
  const write = (pdu: Pdu): void => {
    socket.write(encodePdu(pdu));
  };
  try {
    return await withTimeout(
      new Promise<number>((resolve, reject) => {
        let sent = 0;
        let responses = 0;
        let receipts = 0;
        let start = 0;
        let sequence = 1;
        const pump = (): void => {
          while (sent < messages && sent - responses < WINDOW) write(benchSubmit(sent++, ++sequence));
        };
        socket.on('error', reject);
        socket.on('close', () => reject(new Error('bare run: connection closed')));
        socket.on('data', (chunk: Buffer) => {
          for (const event of reader.push(chunk)) {
            if (event.type !== 'pdu') {
              reject(new Error(`bare run: ${event.type} PDU from SMSC`));
              return;
            }
            const pdu = event.pdu;
            switch (pdu.command) {
              case 'bind_transceiver_resp':
                if (pdu.status !== 0) return reject(new Error(`bind → status ${pdu.status}`));
                start = performance.now();
                pump();
                break;
              case 'submit_sm_resp':
                if (pdu.status !== 0) return reject(new Error(`submit_sm → status ${pdu.status}`));
                responses++;
                pump();
                break;
              case 'deliver_sm':
                write({ command: 'deliver_sm_resp', sequenceNumber: (pdu as DeliverSm).sequenceNumber, status: 0, tlvs: [], messageId: '' });
                receipts++;
                break;
              default:
                break;
            }
            if (responses === messages && receipts === messages) resolve(performance.now() - start);
          }
        });
        write({
          command: 'bind_transceiver',
          sequenceNumber: 1,
          status: 0,
          tlvs: [],
          systemId: 'parley',
          password: 'secret',
          systemType: '',
          interfaceVersion: 0x34,
          addrTon: 0,
          addrNpi: 0,
          addressRange: '',
        });
      }),
      'bare run',
    );
  } finally {
    socket.removeAllListeners('close');
    socket.destroy();
  }
}

/**
 * The bare SMPP round trip (submit + submit_sm_resp + deliver_sm receipt + deliver_sm_resp, no
 * session logic) on a fresh `parley smsc` process: the baseline for the pipeline benchmarks.
 * Returns messages per second.
 */
export async function bareRoundTripRate(messages: number, receiptDelayMs = 0): Promise<number> {
  const smsc = await startSmsc(receiptDelayMs);
  try {
    return (messages / (await bareRun(smsc.port, messages))) * 1000;
  } finally {
    await stopSmsc(smsc);
  }
}

/**
 * SMPP submit + receipt throughput: Parley's SmppSession against `parley smsc` in another
 * process, beside the bare codec (same PDUs, no session logic) measured in the same run.
 * Each side gets a fresh SMSC, since the local SMSC keeps every message in memory.
 */
export async function benchSmpp(messages: number): Promise<void> {
  const rate = (ms: number): string => `${Math.round((messages / ms) * 1000).toLocaleString('en-US')} msg/s`;
  let smsc = await startSmsc();
  let bareMs: number;
  let sessionMs: number;
  try {
    bareMs = await bareRun(smsc.port, messages);
    await stopSmsc(smsc);
    smsc = await startSmsc();
    sessionMs = await sessionRun(smsc.port, messages);
  } finally {
    await stopSmsc(smsc);
  }
  console.log(
    `smpp       session submit+receipt  ${rate(sessionMs).padStart(12)}  baseline bare codec ${rate(bareMs)}  ratio ${Math.round((bareMs / sessionMs) * 100)}% of bare (goal ≥ 80%)`,
  );
}
