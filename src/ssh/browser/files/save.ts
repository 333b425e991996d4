// Where a download goes on this computer: straight to a file the visitor picks (the File System Access
// API, where the browser has it), otherwise into a Blob that a download link then saves.

export interface SaveTarget {
  /** "disk": written as it arrives; "blob": held in memory until the end, then saved by the browser. */
  readonly kind: 'disk' | 'blob';
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

interface Writable {
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}
type SavePicker = (options: { suggestedName: string }) => Promise<{ createWritable(): Promise<Writable> }>;

/** The File System Access API's save picker, where this browser has one. */
function savePicker(): SavePicker | undefined {
  const picker = (globalThis as { showSaveFilePicker?: SavePicker }).showSaveFilePicker;
  return typeof picker === 'function' ? picker.bind(globalThis) : undefined;
}

/**
 * Asks where to save `name`: call it straight from the click (the picker needs the visitor's gesture).
 * null: the visitor closed the picker without choosing.
 */
export async function chooseSaveTarget(name: string): Promise<SaveTarget | null> {
  const picker = savePicker();
  if (picker) {
    let handle;
    try {
      handle = await picker({ suggestedName: name });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') return null;
      throw e;
    }
    const out = await handle.createWritable();
    return { kind: 'disk', write: (c) => out.write(c), close: () => out.close(), abort: () => out.abort() };
  }
  const parts: Uint8Array<ArrayBuffer>[] = [];
  return {
    kind: 'blob',
    write: (c) => {
      parts.push(c as Uint8Array<ArrayBuffer>);
      return Promise.resolve();
    },
    close: () => {
      const url = URL.createObjectURL(new Blob(parts));
      parts.length = 0;
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.hidden = true;
      document.body.append(a);
      a.click();
      a.remove();
      // The browser has started reading it by now; keep it a while for a slow start.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      return Promise.resolve();
    },
    abort: () => {
      parts.length = 0;
      return Promise.resolve();
    },
  };
}
