import type { Workspace } from '../domain/models.js';
import { countCharacters, MAX_BODY_CHARACTERS } from '../domain/message-body.js';
import { applySmartEncoding, type SmartReplacement } from '../domain/smart-encoding.js';
import { analyzeBody, type BodyAnalysis, type SmsEncoding } from '../domain/sms-encoding.js';

export interface PreviewInput {
  body: string;
  /** Preview with smart encoding on or off; absent, the workspace's setting applies, as on send. */
  smartEncoding?: boolean | undefined;
}

export interface SmartEncodingPreview {
  /** Whether the top-level analysis is of the smart-encoded body. */
  enabled: boolean;
  /** Whether a send with smart encoding on would change the body. */
  applied: boolean;
  body: string;
  encoding: SmsEncoding;
  segments: number;
  characters: number;
  replacements: SmartReplacement[];
  savesSegments: number;
  /** Characters smart encoding cannot replace that keep the body in UCS-2. */
  unicodeCharacters: string[];
}

export interface MessagePreview extends BodyAnalysis {
  maxCharacters: number;
  tooLong: boolean;
  smartEncoding: SmartEncodingPreview;
}

/**
 * What a send of `body` would cost, for the composer. The top-level analysis is of the body
 * that would be sent; `smartEncoding` always describes what smart encoding would make of it,
 * so the composer can offer it ("saves 2 segments") even while it is off.
 */
export function previewMessage(workspace: Workspace, input: PreviewInput): MessagePreview {
  const enabled = input.smartEncoding ?? workspace.smartEncoding;
  const original = analyzeBody(input.body);
  const smart = applySmartEncoding(input.body, original);
  const sent = enabled ? smart.analysis : original;
  return {
    ...sent,
    maxCharacters: MAX_BODY_CHARACTERS,
    // Sends check the body as written, so the preview does too.
    tooLong: countCharacters(input.body) > MAX_BODY_CHARACTERS,
    smartEncoding: {
      enabled,
      applied: smart.applied,
      body: smart.body,
      encoding: smart.analysis.encoding,
      segments: smart.analysis.segments,
      characters: smart.analysis.characters,
      replacements: smart.replacements,
      savesSegments: smart.savesSegments,
      unicodeCharacters: smart.unreplaceableCharacters,
    },
  };
}
