import { performance } from 'node:perf_hooks';
import { SegmentedMessage } from 'sms-segments-calculator';
import { analyzeBody } from '../src/domain/sms-encoding.js';

/** A small deterministic PRNG (mulberry32), so every run segments the same corpus. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GSM_SENTENCES = [
  'Hi {name}, your order #{n} has shipped and arrives Thursday.',
  'Reminder: your appointment is tomorrow at {n}:30. Reply C to confirm or R to reschedule.',
  'Your verification code is {n}. It expires in 10 minutes.',
  'Thanks for visiting! How did we do? Reply 1-5.',
  'Sale ends tonight: 20% off everything in store & online.',
  'Price: €{n} {incl. VAT} [ref ~{n}] | see ^terms^',
];
const UNICODE_SENTENCES = [
  'See you soon 😊 — the team',
  'Great news! 🎉 Your package is on its way 🚚',
  '“Smart quotes” and ‘apostrophes’ sneak in from phones…',
  'Yarın görüşürüz, teşekkürler! Şükran',
  'Olá! Obrigado pela sua compra, até já.',
  '👨‍👩‍👧‍👦 Family plan renewed 🇺🇸',
];
const NAMES = ['Sam', 'Ana', 'José', 'Zoë', 'Chen', 'Ayşe'];

/** One million mixed bodies: mostly short GSM-7, some long, some with emoji or national text. */
export function buildCorpus(size: number, seed = 42): string[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const fill = (s: string) => s.replaceAll('{name}', pick(NAMES)).replaceAll('{n}', String(Math.floor(random() * 10000)));
  const corpus = new Array<string>(size);
  for (let i = 0; i < size; i++) {
    const roll = random();
    const sentences = roll < 0.6 ? 1 : roll < 0.85 ? 2 + Math.floor(random() * 4) : 1 + Math.floor(random() * 8);
    const unicode = roll >= 0.85;
    let body = '';
    for (let s = 0; s < sentences; s++) {
      body += (s > 0 ? ' ' : '') + fill(unicode && s % 2 === 0 ? pick(UNICODE_SENTENCES) : pick(GSM_SENTENCES));
    }
    corpus[i] = body;
  }
  return corpus;
}

export function benchEncodingCorpus(size: number, referenceSample: number): void {
  const corpus = buildCorpus(size);
  let segments = 0;
  const start = performance.now();
  for (const body of corpus) segments += analyzeBody(body).segments;
  const ours = performance.now() - start;

  // The reference calculator is far slower, so it runs on the first `referenceSample`
  // bodies of the same corpus; its rate is per message either way.
  const sample = corpus.slice(0, referenceSample);
  let disagreements = 0;
  const refStart = performance.now();
  const referenceCounts = sample.map((body) => new SegmentedMessage(body).segmentsCount);
  const reference = performance.now() - refStart;
  sample.forEach((body, i) => {
    if (analyzeBody(body).segments !== referenceCounts[i]) disagreements++;
  });

  const ourRate = (size / ours) * 1000;
  const refRate = (sample.length / reference) * 1000;
  console.log(
    `encoding   ${size.toLocaleString('en-US')} mixed bodies  ${Math.round(ourRate).toLocaleString('en-US').padStart(9)} msg/s` +
      `  sms-segments-calculator ${Math.round(refRate).toLocaleString('en-US')} msg/s (first ${sample.length.toLocaleString('en-US')})` +
      `  ratio ${(ourRate / refRate).toFixed(0)}x faster  (${segments.toLocaleString('en-US')} segments; ${disagreements} of ${sample.length} counts differ)`,
  );
}
