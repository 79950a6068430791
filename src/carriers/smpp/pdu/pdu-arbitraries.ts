/**
 * fast-check generators for valid PDUs, derived from the same definition tables as the codec
 * so a PDU type added there is covered by the property tests without touching them.
 * Test support only: imported by *.test.ts files, never by the codec.
 */
import fc from 'fast-check';
import { type CommandName, type FieldSpec, PDU_DEFINITIONS, type Pdu } from './pdu-definitions.js';
import { type KnownTlvName, TLV_DEFINITIONS, type Tlv } from './tlv.js';

/** Latin-1 without NUL: exactly what a C-Octet String can carry. */
const cStringChar = fc.integer({ min: 1, max: 0xff }).map((code) => String.fromCharCode(code));

export function cStringArb(maxWithNul: number): fc.Arbitrary<string> {
  return fc.array(cStringChar, { maxLength: maxWithNul - 1 }).map((chars) => chars.join(''));
}

function fieldArb(field: FieldSpec): fc.Arbitrary<unknown> {
  switch (field.kind) {
    case 'u8':
      return fc.integer({ min: 0, max: 0xff });
    case 'cstr':
      return cStringArb(field.max);
    case 'sm':
      return fc.uint8Array({ maxLength: 254 });
  }
}

const KNOWN_TAGS = new Set<number>(Object.values(TLV_DEFINITIONS).map((d) => d.tag));

function knownTlvArb(name: KnownTlvName): fc.Arbitrary<Tlv> {
  const type = TLV_DEFINITIONS[name].type;
  let value: fc.Arbitrary<unknown>;
  switch (type.kind) {
    case 'u8':
      value = fc.integer({ min: 0, max: 0xff });
      break;
    case 'u16':
      value = fc.integer({ min: 0, max: 0xffff });
      break;
    case 'u32':
      value = fc.integer({ min: 0, max: 0xffffffff });
      break;
    case 'cstr':
      value = cStringArb(type.max);
      break;
    case 'octets':
      // message_payload may be long; a few hundred octets is enough to exercise lengths > 255.
      value = fc.uint8Array({ maxLength: Math.min(type.max, 400) });
      break;
    case 'network_error':
      value = fc.record({ networkType: fc.integer({ min: 0, max: 0xff }), errorCode: fc.integer({ min: 0, max: 0xffff }) });
      break;
  }
  return value.map((v) => ({ name, value: v }) as Tlv);
}

export const rawTlvArb: fc.Arbitrary<Tlv> = fc
  .record({
    tag: fc.integer({ min: 0, max: 0xffff }).filter((tag) => !KNOWN_TAGS.has(tag)),
    value: fc.uint8Array({ maxLength: 40 }),
  })
  .map(({ tag, value }) => ({ name: 'raw', tag, value }));

export const tlvArb: fc.Arbitrary<Tlv> = fc.oneof(
  fc.constantFrom(...(Object.keys(TLV_DEFINITIONS) as KnownTlvName[])).chain(knownTlvArb),
  rawTlvArb,
);

export function pduArb(command: CommandName, options: { withTlvs?: boolean } = {}): fc.Arbitrary<Pdu> {
  const fields = PDU_DEFINITIONS[command].fields as readonly FieldSpec[];
  const model: Record<string, fc.Arbitrary<unknown>> = {
    sequenceNumber: fc.integer({ min: 0, max: 0xffffffff }),
    status: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })),
    tlvs: options.withTlvs === false ? fc.constant([]) : fc.array(tlvArb, { maxLength: 4 }),
  };
  for (const field of fields) model[field.key] = fieldArb(field);
  return fc.record(model).map((record) => ({ command, ...record }) as unknown as Pdu);
}

export const COMMAND_NAMES = Object.keys(PDU_DEFINITIONS) as CommandName[];

export const anyPduArb: fc.Arbitrary<Pdu> = fc.constantFrom(...COMMAND_NAMES).chain((command) => pduArb(command));
