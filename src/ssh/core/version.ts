// Protocol version exchange (RFC 4253 §4.2). The server may send other lines before its
// identification; each line ends in CR LF (a bare LF is tolerated, as OpenSSH does).
// "SSH-1.99-" means a server that also speaks 2.0 (RFC 4253 §5.1).

import { fromUtf8 } from './wire/bytes';
import { SshError } from './wire/errors';
import type { InputQueue } from './packet';

const MAX_LINE = 255; // RFC 4253 §4.2, including CR LF
const MAX_PREAMBLE_LINES = 1024; // OpenSSH gives up after a similar bound

export class VersionReader {
  readonly preamble: string[] = [];

  /** The peer's identification line without CR LF, or null if more bytes are needed. */
  read(input: InputQueue): string | null {
    for (;;) {
      const newline = input.indexOf(0x0a, Math.min(input.length, MAX_LINE + 1));
      if (newline < 0) {
        if (input.length > MAX_LINE) throw this.notSsh(fromUtf8(input.peek(Math.min(input.length, 80))));
        return null;
      }
      let line = fromUtf8(input.take(newline + 1)).replace(/\r?\n$/, '');
      if (line.startsWith('SSH-')) {
        if (line.startsWith('SSH-2.0-') || line.startsWith('SSH-1.99-')) return line;
        const shown = line.slice(0, 60);
        throw new SshError('not-ssh', (v) => v.otherVersion(shown));
      }
      line = line.replace(/[^\x20-\x7e]/g, '?');
      this.preamble.push(line);
      if (this.preamble.length > MAX_PREAMBLE_LINES) throw this.notSsh(this.preamble[0]);
    }
  }

  notSsh(sample: string): SshError {
    const shown = sample.replace(/[^\x20-\x7e]/g, '?').slice(0, 80);
    return new SshError('not-ssh', (v) => v.notSsh(shown));
  }
}
