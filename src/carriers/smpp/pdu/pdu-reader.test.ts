import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMAND_STATUS } from './command-status.js';
import { encodePdu } from './pdu-codec.js';
import type { Pdu } from './pdu-definitions.js';
import { anyPduArb } from './pdu-arbitraries.js';
import { PduReader, type PduReadEvent } from './pdu-reader.js';
import { tlv } from './tlv.js';

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Cuts `bytes` at the given offsets (sorted, deduplicated, clamped). */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

function feed(reader: PduReader, chunks: readonly Uint8Array[]): PduReadEvent[] {
  return chunks.flatMap((chunk) => reader.push(chunk));
}

function pdus(events: readonly PduReadEvent[]): Pdu[] {
  return events.flatMap((e) => (e.type === 'pdu' ? [e.pdu] : []));
}

const enquireLink = (sequenceNumber: number): Pdu => ({ command: 'enquire_link', sequenceNumber, status: 0, tlvs: [] });

/** A ~100-octet submit_sm, the bread and butter of a bind. */
function submit(sequenceNumber: number): Uint8Array {
  return encodePdu({
    command: 'submit_sm',
    sequenceNumber,
    status: 0,
    serviceType: '',
    sourceAddrTon: 1,
    sourceAddrNpi: 1,
    sourceAddr: '447700900123',
    destAddrTon: 1,
    destAddrNpi: 1,
    destinationAddr: '15551234567',
    esmClass: 0x40,
    protocolId: 0,
    priorityFlag: 0,
    scheduleDeliveryTime: '',
    validityPeriod: '',
    registeredDelivery: 1,
    replaceIfPresentFlag: 0,
    dataCoding: 0,
    smDefaultMsgId: 0,
    shortMessage: new Uint8Array(60).fill(0x41),
    tlvs: [tlv('user_message_reference', sequenceNumber & 0xffff)],
  });
}

describe('PduReader framing', () => {
  it('reads several PDUs from one chunk and one PDU from many chunks', () => {
    const stream = concat([encodePdu(enquireLink(1)), encodePdu(enquireLink(2)), encodePdu(enquireLink(3))]);
    expect(pdus(new PduReader().push(stream))).toEqual([enquireLink(1), enquireLink(2), enquireLink(3)]);

    const reader = new PduReader();
    const events = feed(reader, split(stream, Array.from({ length: stream.length }, (_, i) => i)));
    expect(pdus(events)).toEqual([enquireLink(1), enquireLink(2), enquireLink(3)]);
    expect(reader.bufferedLength).toBe(0);
  });

  it('any split of a stream of valid PDUs yields the same PDUs', () => {
    fc.assert(
      fc.property(fc.array(anyPduArb, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 30 }), (list, cuts) => {
        const stream = concat(list.map(encodePdu));
        const reader = new PduReader();
        const events = feed(reader, split(stream, cuts.map((c) => c % (stream.length + 1))));
        expect(events.every((e) => e.type === 'pdu')).toBe(true);
        expect(pdus(events)).toEqual(list);
        expect(reader.bufferedLength).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a partial PDU until the rest arrives', () => {
    const bytes = encodePdu(enquireLink(5));
    const reader = new PduReader();
    expect(reader.push(bytes.subarray(0, 3))).toEqual([]);
    expect(reader.push(bytes.subarray(3, 15))).toEqual([]);
    expect(reader.bufferedLength).toBe(15);
    expect(pdus(reader.push(bytes.subarray(15)))).toEqual([enquireLink(5)]);
  });

  it('reports a bad body and carries on with the next PDU', () => {
    const unknown = Uint8Array.from([0, 0, 0, 16, 0, 0, 0, 0x99, 0, 0, 0, 0, 0, 0, 0, 7]);
    const events = new PduReader().push(concat([unknown, encodePdu(enquireLink(8))]));
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ type: 'invalid', error: { commandStatus: COMMAND_STATUS.ESME_RINVCMDID, sequenceNumber: 7 } });
    expect(events[1]).toEqual({ type: 'pdu', pdu: enquireLink(8) });
  });

  it.each([
    ['shorter than a header', 15],
    ['zero', 0],
    ['above the default 64 KiB', 64 * 1024 + 1],
    ['4 GiB', 0xffffffff],
  ])('command_length %s is fatal and stops the reader', (_label, length) => {
    const reader = new PduReader();
    const bad = new Uint8Array(16);
    new DataView(bad.buffer).setUint32(0, length);
    new DataView(bad.buffer).setUint32(12, 77);
    const events = reader.push(concat([encodePdu(enquireLink(1)), bad, encodePdu(enquireLink(2))]));
    expect(events).toHaveLength(2);
    expect(events[0]).toEqual({ type: 'pdu', pdu: enquireLink(1) });
    expect(events[1]).toMatchObject({
      type: 'fatal',
      error: { kind: 'framing', commandLength: length, sequenceNumber: 77, commandStatus: COMMAND_STATUS.ESME_RINVCMDLEN },
    });
    expect(reader.failed).toBe(true);
    expect(reader.push(encodePdu(enquireLink(3)))).toEqual([]);
  });

  it('judges command_length as soon as its 4 octets arrive, even split', () => {
    const reader = new PduReader();
    expect(reader.push(Uint8Array.from([0x7f, 0xff]))).toEqual([]);
    const events = reader.push(Uint8Array.from([0xff, 0xff]));
    expect(events).toMatchObject([{ type: 'fatal', error: { commandLength: 0x7fffffff, sequenceNumber: undefined } }]);
  });

  it('honours a configured maximum', () => {
    const big = encodePdu({ ...enquireLink(1), command: 'data_sm_resp', messageId: '', tlvs: [tlv('message_payload', new Uint8Array(2000))] } as Pdu);
    expect(new PduReader({ maxPduLength: 1024 }).push(big)).toMatchObject([{ type: 'fatal' }]);
    expect(new PduReader({ maxPduLength: 4096 }).push(big)).toMatchObject([{ type: 'pdu' }]);
    expect(() => new PduReader({ maxPduLength: 8 })).toThrow(RangeError);
  });
});

describe('PduReader fuzzing: never throws, always terminates', () => {
  type Mutation =
    | { kind: 'flip'; at: number; value: number }
    | { kind: 'truncate'; at: number }
    | { kind: 'extend'; bytes: Uint8Array }
    | { kind: 'length'; pdu: number; value: number };

  const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
    fc.record({
      kind: fc.constant('length' as const),
      pdu: fc.nat(),
      value: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 0xffffffff })),
    }),
  );

  function mutate(list: readonly Uint8Array[], mutations: readonly Mutation[]): Uint8Array {
    const copies = list.map((p) => p.slice());
    for (const m of mutations) {
      if (m.kind === 'length' && copies.length > 0) {
        const target = copies[m.pdu % copies.length]!;
        new DataView(target.buffer).setUint32(0, m.value >>> 0);
      }
    }
    let stream = concat(copies);
    for (const m of mutations) {
      if (m.kind === 'flip' && stream.length > 0) stream[m.at % stream.length] = m.value;
      if (m.kind === 'truncate') stream = stream.subarray(0, m.at % (stream.length + 1));
      if (m.kind === 'extend') stream = concat([stream, m.bytes]);
    }
    return stream;
  }

  function checkEvents(events: readonly PduReadEvent[], reader: PduReader): void {
    const fatal = events.findIndex((e) => e.type === 'fatal');
    // Nothing follows a fatal event, and a fatal reader stays failed.
    if (fatal !== -1) {
      expect(fatal).toBe(events.length - 1);
      expect(reader.failed).toBe(true);
    }
    for (const event of events) {
      if (event.type === 'invalid') expect(event.error.commandStatus).toBeGreaterThan(0);
    }
  }

  it('random bytes in random chunks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.array(fc.nat(), { maxLength: 20 }), fc.integer({ min: 16, max: 4096 }), (bytes, cuts, max) => {
        const reader = new PduReader({ maxPduLength: max });
        const events = feed(reader, split(bytes, cuts));
        checkEvents(events, reader);
      }),
      { numRuns: 1000 },
    );
  });

  it('plausible headers with random bodies (framing survives, bodies are judged)', () => {
    const framed = fc
      .record({ id: fc.constantFrom(0x4, 0x5, 0x9, 0x103, 0x80000004, 0x80000009, 0x102, 0x77), body: fc.uint8Array({ maxLength: 300 }) })
      .map(({ id, body }) => {
        const bytes = new Uint8Array(16 + body.length);
        const view = new DataView(bytes.buffer);
        view.setUint32(0, bytes.length);
        view.setUint32(4, id);
        view.setUint32(12, 1);
        bytes.set(body, 16);
        return bytes;
      });
    fc.assert(
      fc.property(fc.array(framed, { minLength: 1, maxLength: 10 }), fc.array(fc.nat(), { maxLength: 10 }), (list, cuts) => {
        const reader = new PduReader();
        const events = feed(reader, split(concat(list), cuts));
        checkEvents(events, reader);
        // Well framed, so exactly one verdict per PDU and nothing fatal.
        expect(events).toHaveLength(list.length);
        expect(events.some((e) => e.type === 'fatal')).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('mutated valid PDUs: flipped bytes, truncation, extension, corrupt lengths', () => {
    fc.assert(
      fc.property(
        fc.array(anyPduArb, { minLength: 1, maxLength: 6 }),
        fc.array(mutationArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (list, mutations, cuts) => {
          const stream = mutate(list.map(encodePdu), mutations);
          const reader = new PduReader();
          const events = feed(reader, split(stream, cuts));
          checkEvents(events, reader);
          // Each event consumed at least 16 octets or ended the stream.
          expect(events.length).toBeLessThanOrEqual(Math.floor(stream.length / 16) + 1);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('PduReader cost is linear in its input', () => {
  // Generous bounds: the point is to catch quadratic behaviour (which would take minutes on
  // 1 MB), not to benchmark; CI machines are slow and shared.
  const ONE_MB = 1024 * 1024;

  function timed(run: () => void): number {
    const started = performance.now();
    run();
    return performance.now() - started;
  }

  function stream(bytes: number): Uint8Array {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let seq = 1; total < bytes; seq++) {
      const pdu = submit(seq);
      parts.push(pdu);
      total += pdu.length;
    }
    return concat(parts);
  }

  it('1 MB of submit_sm in TCP-sized chunks', () => {
    const bytes = stream(ONE_MB);
    let count = 0;
    const ms = timed(() => {
      const reader = new PduReader();
      for (let at = 0; at < bytes.length; at += 1460) count += reader.push(bytes.subarray(at, at + 1460)).length;
    });
    expect(count).toBeGreaterThan(5000);
    expect(ms).toBeLessThan(1000);
  });

  it('256 KB of submit_sm one octet at a time', () => {
    const bytes = stream(ONE_MB / 4);
    let count = 0;
    const ms = timed(() => {
      const reader = new PduReader();
      for (let at = 0; at < bytes.length; at++) count += reader.push(bytes.subarray(at, at + 1)).length;
    });
    expect(count).toBeGreaterThan(1000);
    expect(ms).toBeLessThan(1000);
  });

  it('1 MB of well-framed PDUs with corrupt bodies', () => {
    const bytes = stream(ONE_MB);
    // Break every sm_length so each PDU is judged and rejected.
    const corrupt = bytes.slice();
    for (let at = 0; at < corrupt.length; ) {
      const length = new DataView(corrupt.buffer).getUint32(at);
      corrupt[at + 16 + 39] = 0xff; // sm_length: 39 octets of mandatory fields precede it
      at += length;
    }
    let invalid = 0;
    const ms = timed(() => {
      const events = new PduReader().push(corrupt);
      invalid = events.filter((e) => e.type === 'invalid').length;
    });
    expect(invalid).toBeGreaterThan(5000);
    expect(ms).toBeLessThan(1000);
  });

  it('a 64 KiB PDU full of empty TLVs, delivered one octet at a time', () => {
    const body = new Uint8Array(64 * 1024 - 16 - 1); // message_id "" then 4-octet empty raw TLVs
    for (let at = 1; at + 4 <= body.length; at += 4) body[at] = 0x14; // tag 0x14xx, length 0
    const usable = 1 + Math.floor((body.length - 1) / 4) * 4;
    const pdu = new Uint8Array(16 + usable);
    const view = new DataView(pdu.buffer);
    view.setUint32(0, pdu.length);
    view.setUint32(4, 0x80000004);
    pdu.set(body.subarray(0, usable), 16);
    let events: PduReadEvent[] = [];
    const ms = timed(() => {
      const reader = new PduReader();
      for (let at = 0; at < pdu.length; at++) events = events.concat(reader.push(pdu.subarray(at, at + 1)));
    });
    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe('pdu');
    expect(ms).toBeLessThan(1000);
  });

  it('1 MB of random bytes with no length limit is buffered, not spun on', () => {
    const bytes = new Uint8Array(ONE_MB).map((_, i) => (i * 2654435761) >>> 24);
    bytes.set([0x7f, 0xff, 0xff, 0xff], 0); // a 2 GiB "PDU" that never completes
    const ms = timed(() => {
      const reader = new PduReader({ maxPduLength: 0xffffffff });
      for (let at = 0; at < bytes.length; at += 1460) expect(reader.push(bytes.subarray(at, at + 1460))).toEqual([]);
      expect(reader.bufferedLength).toBe(ONE_MB);
    });
    expect(ms).toBeLessThan(1000);
  });
});
