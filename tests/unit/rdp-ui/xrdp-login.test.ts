// Recognising xrdp's Connection Log window (src/rdp/xrdp-login.ts) and NLA in the proxy's RDCleanPath
// answer (src/rdp/connection.ts selectedNla), on pixels and bytes made here.
import { describe, expect, it } from 'vitest';
import { selectedNla } from '../../../src/rdp/connection';
import { LOG_AREA, showsXrdpConnectionLog, type Pixels } from '../../../src/rdp/xrdp-login';

type Rgb = [number, number, number];

/** A LOG_AREA-sized picture: `screen` everywhere, and, when given, the window drawn as xrdp does. */
function picture(screen: Rgb, window?: { caption: Rgb; body: Rgb; text?: Rgb }): Pixels {
  const { width, height } = LOG_AREA;
  const data = new Uint8ClampedArray(width * height * 4);
  const paint = (x0: number, y0: number, w: number, h: number, [r, g, b]: Rgb) => {
    for (let y = y0; y < y0 + h; y++) {
      for (let x = x0; x < x0 + w; x++) data.set([r, g, b, 255], (y * width + x) * 4);
    }
  };
  paint(0, 0, width, height, screen);
  if (window) {
    paint(10, 10, 400, 400, window.body);
    paint(12, 12, 396, 18, window.caption);
    if (window.text) for (let line = 0; line < 4; line++) paint(20, 40 + line * 15, 250, 10, window.text); // the log lines
    paint(340, 378, 58, 22, [255, 255, 255]); // the OK button
  }
  return { width, height, data };
}

const desktop = { width: 1024, height: 768 };

describe('showsXrdpConnectionLog', () => {
  it('finds the window in xrdp’s built-in colours and in Debian’s xrdp.ini colours', () => {
    expect(showsXrdpConnectionLog(picture([17, 17, 17], { caption: [0, 0, 255], body: [192, 192, 192], text: [0, 0, 0] }), desktop)).toBe(true);
    expect(showsXrdpConnectionLog(picture([0, 156, 181], { caption: [0, 156, 181], body: [222, 222, 222] }), desktop)).toBe(false); // caption as the screen
    expect(showsXrdpConnectionLog(picture([0, 0, 0], { caption: [0, 156, 181], body: [222, 222, 222], text: [0, 0, 0] }), desktop)).toBe(true);
  });

  it('does not take a blank screen, a session’s desktop or a small desktop for it', () => {
    expect(showsXrdpConnectionLog(picture([0, 0, 0]), desktop)).toBe(false);
    const session = picture([0, 0, 0], { caption: [0, 0, 255], body: [192, 192, 192] });
    // A row of 16-pixel palette blocks where the caption would be (the test session's xterm prints one).
    for (let y = 12; y < 30; y++) for (let x = 0; x < LOG_AREA.width; x++) session.data.set([(x >> 4) * 16 % 256, 100, 50, 255], (y * LOG_AREA.width + x) * 4);
    expect(showsXrdpConnectionLog(session, desktop)).toBe(false);
    const log = picture([17, 17, 17], { caption: [0, 0, 255], body: [192, 192, 192] });
    expect(showsXrdpConnectionLog(log, { width: 400, height: 300 })).toBe(false);
    expect(showsXrdpConnectionLog({ width: 10, height: 10, data: new Uint8ClampedArray(400) }, desktop)).toBe(false);
  });
});

/** The X.224 Connection Confirm xrdp sends, selecting `protocol`, inside some DER around it. */
function answerWith(protocol: number): Uint8Array {
  const confirm = [0x03, 0, 0, 0x13, 0x0e, 0xd0, 0, 0, 0x12, 0x34, 0, 0x02, 0x1f, 0x08, 0, protocol, 0, 0, 0];
  return Uint8Array.from([0x30, 0x82, 0x01, 0x00, 0xa6, 0x15, 0x04, 0x13, ...confirm, 0xa7, 0x03, 0x01, 0x02, 0x03]);
}

describe('selectedNla', () => {
  it('reads the protocol the machine selected', () => {
    expect(selectedNla(answerWith(0x1))).toBe(false); // TLS (xrdp)
    expect(selectedNla(answerWith(0x2))).toBe(true); // CredSSP
    expect(selectedNla(answerWith(0x8))).toBe(true); // CredSSP with Early User Authorization
  });

  it('says no for anything it cannot read: truncated, empty, a negotiation failure', () => {
    expect(selectedNla(answerWith(0x2).subarray(0, 20))).toBe(false);
    expect(selectedNla(new Uint8Array(0))).toBe(false);
    const failure = answerWith(0x2);
    failure[19] = 0x03; // TYPE_RDP_NEG_FAILURE
    expect(selectedNla(failure)).toBe(false);
  });
});
