import { analyzeBody } from '../../../domain/sms-encoding.js';
import { encodePartsForCarrier } from '../../../domain/sms-wire-codec.js';

/** esm_class UDHI: short_message starts with a user data header (§5.2.12). */
export const ESM_UDHI = 0x40;

export interface HandsetPart {
  esmClass: number;
  dataCoding: number;
  shortMessage: Uint8Array;
}

/**
 * A handset's text as the deliver_sm parts an SMSC would pass on: GSM-7 (data_coding 0, one
 * septet per octet, as Parley's default gsm7 charset reads it) when the text fits the default
 * alphabet, UCS-2 (8) otherwise, split like a phone splits it with a UDH concatenation IE.
 */
export function encodeHandsetMessage(text: string, reference: number): HandsetPart[] {
  const analysis = analyzeBody(text);
  const parts = encodePartsForCarrier(analysis.parts, {
    charset: analysis.encoding === 'GSM-7' ? 'gsm7' : 'ucs2',
    reference: reference & 0xff,
  });
  return parts.map((part) => ({
    esmClass: part.udh === null ? 0 : ESM_UDHI,
    dataCoding: part.dataCoding,
    shortMessage: part.shortMessage,
  }));
}
