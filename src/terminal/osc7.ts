// OSC 7: a shell tells its terminal its current folder, as `ESC ] 7 ; file://host/path BEL` (or ST),
// the path percent-encoded (VTE's vte.sh, fish, zsh's and bash's prompt hooks do it). The Files panel
// opens there. The bytes come from the machine, so they are checked before use: bounded length, only
// file: URLs with an absolute path, decode errors and control characters ignored.
import type { IDisposable, Terminal } from '@xterm/xterm';

/** The longest path taken, in characters once decoded (above Linux's PATH_MAX of 4096 bytes). */
export const MAX_OSC7_PATH = 4096;
/** The longest OSC 7 payload looked at: a path of MAX_OSC7_PATH all percent-encoded, and a host name. */
const MAX_PAYLOAD = MAX_OSC7_PATH * 3 + 256;

/**
 * The folder an OSC 7 payload names, or null when it is not one this page trusts: not a file: URL,
 * no absolute path, too long, a malformed percent sequence or invalid UTF-8, or a control character.
 * The host is not checked (the page cannot know the machine's own name); everything after it is the
 * path, so a "?" or "#" a shell did not encode stays part of the name.
 */
export function parseOsc7(payload: string): string | null {
  if (payload.length > MAX_PAYLOAD) return null;
  const m = /^file:\/\/([^/]*)(\/.*)$/is.exec(payload);
  if (!m) return null;
  let path: string;
  try {
    path = decodeURIComponent(m[2]);
  } catch {
    return null; // a lone "%", "%zz", or bytes that are not UTF-8
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (path.length > MAX_OSC7_PATH || /[\u0000-\u001f\u007f-\u009f]/.test(path)) return null;
  return path;
}

/** Calls `onFolder` with each folder the shell reports through OSC 7; ignores what does not parse. */
export function watchShellFolder(term: Pick<Terminal, 'parser'>, onFolder: (path: string) => void): IDisposable {
  return term.parser.registerOscHandler(7, (payload) => {
    const path = parseOsc7(payload);
    if (path !== null) onFolder(path);
    return true; // handled: nothing else in xterm.js uses OSC 7
  });
}
