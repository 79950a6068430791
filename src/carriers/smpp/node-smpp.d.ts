/**
 * The slice of node-smpp 0.5.1 (CommonJS, untyped) that interop.node-smpp.test.ts uses, where
 * node-smpp plays an independent SMSC. Test-only: Parley's own SMPP stack never imports it.
 */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer } from 'node:net';

  /** A decoded PDU: header fields plus the command's own fields and TLVs, by snake_case name. */
  export interface PDU {
    command: string;
    command_status: number;
    sequence_number: number;
    [field: string]: unknown;
    response(options?: Record<string, unknown>): PDU;
  }

  export interface Session extends EventEmitter {
    send(pdu: PDU, responseCallback?: (response: PDU) => void): boolean;
    deliver_sm(options: Record<string, unknown>, responseCallback?: (response: PDU) => void): boolean;
    enquire_link(options: Record<string, unknown>, responseCallback?: (response: PDU) => void): boolean;
    unbind(options: Record<string, unknown>, responseCallback?: (response: PDU) => void): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
  }

  export type Server = NetServer & { sessions: Session[] };

  export function createServer(sessionListener: (session: Session) => void): Server;

  export const ESME_ROK: number;
  export const ESME_RINVPASWD: number;
}
