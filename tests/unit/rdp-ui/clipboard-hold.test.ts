// While files the page sent wait on the machine's clipboard, the page's own clipboard must not replace
// them: the visitor pastes them there with the paste shortcut, which also fires a `paste` event on the page.
// And the visitor's clipboard toggle applies mid-session, both ways.
import { describe, expect, it } from 'vitest';
import type { ClipboardData, IronRdp } from '../../../wasm/ironrdp';
import { ClipboardBridge } from '../../../src/rdp/clipboard';

class FakeData {
  items_: { mime: string; value: unknown }[] = [];
  addText(mime: string, text: string) {
    this.items_.push({ mime, value: text });
  }
  addBinary(mime: string, value: Uint8Array) {
    this.items_.push({ mime, value });
  }
  items() {
    return this.items_.map((i) => ({ mimeType: () => i.mime, value: () => i.value, free: () => undefined }));
  }
  free() {}
}

function setup() {
  const sent: string[] = [];
  const rdp = { ClipboardData: FakeData } as unknown as IronRdp;
  const session = {
    onClipboardPaste: async (d: ClipboardData) => {
      sent.push(((d as unknown as FakeData).items_.find((i) => i.mime === 'text/plain')?.value as string) ?? '(empty)');
    },
  };
  const bridge = new ClipboardBridge(rdp, session, { to: true, from: false });
  const paste = (text: string) => {
    const dt = { getData: (t: string) => (t === 'text/plain' ? text : ''), files: [] as File[] };
    return bridge.fromPasteEvent({ clipboardData: dt } as unknown as ClipboardEvent);
  };
  const machineCopies = (text: string) => {
    const d = new FakeData();
    d.addText('text/plain', text);
    return bridge.fromMachine(d as unknown as ClipboardData);
  };
  return { bridge, sent, paste, machineCopies };
}

describe('ClipboardBridge while files wait on the machine', () => {
  it("sends pastes normally, holds them while files wait, and sends again once they were taken", async () => {
    const { bridge, sent, paste } = setup();
    await paste('one');
    expect(sent).toEqual(['one']);
    bridge.holdForFiles(true);
    await paste('two');
    await bridge.answerRequest();
    expect(sent).toEqual(['one']);
    bridge.holdForFiles(false);
    await paste('two');
    expect(sent).toEqual(['one', 'two']);
  });

  it("the machine's clipboard changing ends the hold: the files are no longer on it", async () => {
    const { bridge, sent, paste, machineCopies } = setup();
    bridge.holdForFiles(true);
    await paste('held');
    expect(sent).toEqual([]);
    await machineCopies('copied on the machine');
    await paste('after');
    expect(sent).toEqual(['after']);
  });
});

/** Runs `fn` with `navigator` set to `value` (Node has none, or one without a clipboard). */
async function withNavigator(value: object, fn: () => Promise<void>): Promise<void> {
  const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value, configurable: true });
  try {
    await fn();
  } finally {
    if (had) Object.defineProperty(globalThis, 'navigator', had);
    else Reflect.deleteProperty(globalThis, 'navigator');
  }
}

describe('ClipboardBridge when the visitor turns sharing on or off mid-session', () => {
  it('closing page → machine empties what the machine holds from the page, and later pastes stay here', async () => {
    const { bridge, sent, paste } = setup();
    await withNavigator({}, async () => {
      await paste('shared');
      await bridge.setWays({ to: false, from: false });
      expect(sent).toEqual(['shared', '(empty)']);
      await paste('private');
      expect(sent).toEqual(['shared', '(empty)']);
      await bridge.setWays({ to: true, from: false });
      await paste('private');
      expect(sent).toEqual(['shared', '(empty)', 'private']);
    });
  });

  it('closing page → machine while files wait there keeps them: the empty clipboard is not sent', async () => {
    const { bridge, sent } = setup();
    bridge.holdForFiles(true);
    await bridge.setWays({ to: false, from: false });
    expect(sent).toEqual([]);
  });

  it("machine → page follows the toggle: the machine's copies are ignored while it is off", async () => {
    const { bridge, machineCopies } = setup();
    const writes: string[] = [];
    await withNavigator({ clipboard: { writeText: async (t: string) => void writes.push(t) } }, async () => {
      await machineCopies('ignored');
      await bridge.setWays({ to: true, from: true });
      await machineCopies('taken');
      await bridge.setWays({ to: true, from: false });
      await machineCopies('ignored again');
      expect(writes).toEqual(['taken']);
    });
  });
});
