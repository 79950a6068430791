import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeShortMessage, encodeForCarrier } from '../../../domain/sms-wire-codec.js';
import { submitSm } from '../pdu/index.js';
import { HANDSET_USAGE, parseHandsetLine } from './smsc-console.js';
import { RawEsme } from './raw-esme-client.js';

describe('parseHandsetLine', () => {
  it('reads FROM > TO TEXT, keeping the text as typed', () => {
    expect(parseHandsetLine('+12015550123 > +12015550100 Hello there')).toEqual({
      ok: true,
      from: '+12015550123',
      to: '+12015550100',
      text: 'Hello there',
    });
    expect(parseHandsetLine('  12345>+12015550100   STOP  ')).toEqual({ ok: true, from: '12345', to: '+12015550100', text: 'STOP' });
    expect(parseHandsetLine('+12015550123 > +12015550100 a > b')).toMatchObject({ text: 'a > b' });
  });

  it('answers anything else with the usage line', () => {
    expect(parseHandsetLine('hello')).toEqual({ ok: false, message: HANDSET_USAGE });
    expect(parseHandsetLine('+1201 > +1202')).toEqual({ ok: false, message: HANDSET_USAGE });
  });
});

describe('parley smsc', () => {
  it('prints its port, shows binds and submits, sends typed handset replies and stops on SIGINT', async () => {
    const bin = fileURLToPath(new URL('../../../../bin/parley', import.meta.url));
    const child = spawn(process.execPath, [bin, 'smsc', '--port', '0', '--receipt-delay', '10'], { stdio: ['pipe', 'pipe', 'pipe'] });
    // Collect everything: lines can arrive between two waits.
    let output = '';
    const listeners = new Set<() => void>();
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const listener of listeners) listener();
    });
    const waitForOutput = (pattern: RegExp): Promise<RegExpMatchArray> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(output);
          if (!match) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(match);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${pattern} in output:\n${output}`));
        }, 15_000);
        listeners.add(check);
        check();
      });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const [, portText] = await waitForOutput(/listening on 127\.0\.0\.1:(\d+)/);
      await waitForOutput(/Type a handset reply as/);
      const esme = await RawEsme.connect(Number(portText));
      expect((await esme.bind('transceiver')).status).toBe(0);
      await waitForOutput(/bind +#\d+ transceiver parley/);

      const seq = esme.sequence();
      esme.send(
        submitSm({
          sequenceNumber: seq,
          sourceAddr: '12015550100',
          destinationAddr: '12015550123',
          shortMessage: encodeForCarrier('Your table is ready', 'gsm7').bytes,
        }),
      );
      const resp = await esme.next('submit_sm_resp', seq);
      await waitForOutput(new RegExp(`submit .*12015550100 → 12015550123 .*id=${resp.messageId} "Your table is ready"`));
      await esme.next('deliver_sm');
      await waitForOutput(new RegExp(`receipt id=${resp.messageId}`));

      child.stdin.write('+12015550123 > +12015550100 On my way\n');
      const mo = await esme.next('deliver_sm');
      expect(decodeShortMessage(mo.shortMessage, mo.dataCoding, { udhi: false }).text).toBe('On my way');

      child.kill('SIGINT');
      const unbind = await esme.next('unbind');
      esme.send({ command: 'unbind_resp', sequenceNumber: unbind.sequenceNumber, status: 0, tlvs: [] });
      expect(await exited).toBe(0);
      await esme.close();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
