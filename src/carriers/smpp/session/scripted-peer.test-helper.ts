/**
 * A tiny scripted SMSC for the session tests, built on our codec over real TCP. Deliberately
 * independent of src/carriers/smpp/smsc: each test states exactly how the peer behaves.
 */
import net from 'node:net';
import { type Pdu, PduReader, encodePdu, submitSm as buildSubmitSm } from '../pdu/index.js';

export interface PeerConnection {
  readonly received: Pdu[];
  send(pdu: Pdu): void;
  writeRaw(bytes: Uint8Array): void;
  destroy(): void;
}

/**
 * Return true when the script handled the PDU; otherwise the peer's defaults apply: binds
 * accepted, enquire_link and unbind answered, submit_sm/data_sm acknowledged with an id.
 */
export type PeerScript = (pdu: Pdu, connection: PeerConnection) => boolean | void;

export interface ScriptedPeer {
  readonly port: number;
  readonly connections: PeerConnection[];
  /** Every PDU received, across connections, in arrival order. */
  readonly received: Pdu[];
  close(): Promise<void>;
}

export async function startScriptedPeer(script: PeerScript = () => false): Promise<ScriptedPeer> {
  const connections: PeerConnection[] = [];
  const received: Pdu[] = [];
  const sockets = new Set<net.Socket>();
  let nextMessageId = 1;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const reader = new PduReader();
    const connection: PeerConnection = {
      received: [],
      send: (pdu) => {
        if (!socket.destroyed) socket.write(encodePdu(pdu));
      },
      writeRaw: (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
      destroy: () => socket.destroy(),
    };
    connections.push(connection);
    socket.on('data', (chunk: Buffer) => {
      for (const event of reader.push(chunk)) {
        if (event.type !== 'pdu') continue;
        const pdu = event.pdu;
        connection.received.push(pdu);
        received.push(pdu);
        if (script(pdu, connection) === true) continue;
        const { sequenceNumber } = pdu;
        switch (pdu.command) {
          case 'bind_transceiver':
          case 'bind_transmitter':
          case 'bind_receiver':
            connection.send({ command: `${pdu.command}_resp`, sequenceNumber, status: 0, tlvs: [], systemId: 'SCRIPTED' });
            break;
          case 'enquire_link':
            connection.send({ command: 'enquire_link_resp', sequenceNumber, status: 0, tlvs: [] });
            break;
          case 'unbind':
            connection.send({ command: 'unbind_resp', sequenceNumber, status: 0, tlvs: [] });
            socket.end();
            break;
          case 'submit_sm':
          case 'data_sm':
            connection.send({ command: `${pdu.command}_resp`, sequenceNumber, status: 0, tlvs: [], messageId: String(nextMessageId++) });
            break;
          default:
            break;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    connections,
    received,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function submitSm(text = 'hello'): Pdu & { command: 'submit_sm' } {
  return buildSubmitSm({ sourceAddr: '15550001111', destinationAddr: '15550002222', shortMessage: new TextEncoder().encode(text) });
}

export function deliverSm(sequenceNumber: number, text = 'inbound'): Pdu & { command: 'deliver_sm' } {
  return { ...submitSm(text), command: 'deliver_sm', sequenceNumber };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `check` is true; fails the test after `timeoutMs` instead of hanging. */
export async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('waitFor timed out');
    await sleep(5);
  }
}
