import { connect, type Socket } from 'node:net';
import { PduReader, encodePdu, type Pdu, type PduReadEvent } from '../pdu/index.js';

/**
 * A bare ESME for tests: our codec over a real TCP socket and nothing else, so the SMSC is
 * tested on the wire rather than through the session logic it will later test.
 */
export class RawEsme {
  private readonly reader = new PduReader();
  private readonly inbox: PduReadEvent[] = [];
  private waiters: { match: (event: PduReadEvent) => boolean; resolve: (event: PduReadEvent) => void }[] = [];
  private nextSequence = 1;
  readonly closed: Promise<void>;
  /** Answer every deliver_sm with deliver_sm_resp (status `ackStatus`), as an ESME must. */
  autoAck = true;
  ackStatus = 0;

  private constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      for (const event of this.reader.push(chunk)) {
        if (event.type === 'pdu' && event.pdu.command === 'deliver_sm' && this.autoAck) {
          this.send({ command: 'deliver_sm_resp', sequenceNumber: event.pdu.sequenceNumber, status: this.ackStatus, tlvs: [], messageId: '' });
        }
        const waiter = this.waiters.find((w) => w.match(event));
        if (waiter) {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          waiter.resolve(event);
        } else {
          this.inbox.push(event);
        }
      }
    });
  }

  static connect(port: number): Promise<RawEsme> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.off('error', reject);
        resolve(new RawEsme(socket));
      });
      socket.once('error', reject);
    });
  }

  sequence(): number {
    return this.nextSequence++;
  }

  send(pdu: Pdu): void {
    this.socket.write(encodePdu(pdu));
  }

  sendBytes(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The next read event matching `match` (already buffered or still to come). */
  nextEvent(match: (event: PduReadEvent) => boolean = () => true, timeoutMs = 3000): Promise<PduReadEvent> {
    const index = this.inbox.findIndex(match);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0] as PduReadEvent);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (event: PduReadEvent): void => {
          clearTimeout(timer);
          resolve(event);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching PDU within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The next PDU with this command (and sequence number, when given). */
  async next<C extends Pdu['command']>(command: C, sequenceNumber?: number, timeoutMs?: number): Promise<Extract<Pdu, { command: C }>> {
    const event = await this.nextEvent(
      (e) => e.type === 'pdu' && e.pdu.command === command && (sequenceNumber === undefined || e.pdu.sequenceNumber === sequenceNumber),
      timeoutMs,
    );
    return (event as Extract<PduReadEvent, { type: 'pdu' }>).pdu as Extract<Pdu, { command: C }>;
  }

  /** Nothing arrives for `ms` (returns what did, if anything). */
  async quietFor(ms: number): Promise<PduReadEvent | undefined> {
    try {
      return await this.nextEvent(() => true, ms);
    } catch {
      return undefined;
    }
  }

  async bind(
    mode: 'transmitter' | 'receiver' | 'transceiver',
    systemId = 'parley',
    password = 'secret',
  ): Promise<Extract<Pdu, { command: `bind_${typeof mode}_resp` }>> {
    const sequenceNumber = this.sequence();
    this.send({
      command: `bind_${mode}`,
      sequenceNumber,
      status: 0,
      tlvs: [],
      systemId,
      password,
      systemType: '',
      interfaceVersion: 0x34,
      addrTon: 0,
      addrNpi: 0,
      addressRange: '',
    });
    return this.next(`bind_${mode}_resp`, sequenceNumber);
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }
}
