// Files between the page and the machine through RDP's clipboard channel (MS-RDPECLIP file contents),
// as IronRDP's RdpFileTransferProvider does them:
//   upload:   the visitor picks or drops files; they go on the machine's clipboard as a file list, and
//             their bytes cross when someone pastes them there (the machine asks for them range by range);
//   download: the machine's clipboard offers files (someone copied them there); the visitor picks one
//             and the page asks for its bytes, then saves them as a download.
// Only the ways the link allows are offered (the proxy enforces the rule whatever the page does:
// proxy/rdp/clipboard-rule.ts). One instance per desktop; attach() binds it to each connection's provider.
import type { FileInfo, FileTransferError, TransferProgress } from '../../wasm/ironrdp';
import type { ClipboardWays } from '../session/contract';

/** The part of IronRDP's RdpFileTransferProvider used here (a fake stands in for it in unit tests). */
export interface FileProvider {
  on(event: 'files-available', handler: (files: FileInfo[]) => void): void;
  on(event: 'upload-progress' | 'download-progress', handler: (p: TransferProgress) => void): void;
  on(event: 'upload-complete', handler: (file: File, index: number, transferId: number) => void): void;
  on(event: 'error', handler: (e: FileTransferError) => void): void;
  uploadFiles(files: File[]): { transferIds: Map<number, number>; completion: Promise<void> };
  downloadFile(file: FileInfo, index: number): { transferId: number; completion: Promise<Blob> };
}

export interface Transfer {
  /** 'up' page → machine, 'down' machine → page. */
  way: 'up' | 'down';
  transferId: number;
  name: string;
  size: number;
  bytes: number;
  state: 'offered' | 'moving' | 'done' | 'failed';
  /** Why it failed, as a sentence. */
  error?: string;
}

/** A file the machine's clipboard offers, with its index in the machine's list (what a request names). */
export interface OfferedFile {
  index: number;
  name: string;
  size: number;
}

/** Files listed in the panel at most (a machine may offer thousands). */
export const MAX_LISTED = 100;

export const RULE_SENTENCES = {
  upload: 'This link does not allow sending files to the machine.',
  download: 'This link does not allow taking files from the machine.',
  off: 'This link does not allow files to or from the machine.',
} as const;

/** What the toolbar says about the link's rule: '' when files may cross both ways. */
export function ruleSentence(ways: ClipboardWays): string {
  if (!ways.to && !ways.from) return RULE_SENTENCES.off;
  if (!ways.to) return RULE_SENTENCES.upload;
  return ways.from ? '' : RULE_SENTENCES.download;
}

export interface FilesOptions {
  /** Saves a downloaded file on the visitor's computer. */
  save(blob: Blob, name: string): void;
  /** Files the page offered are on the machine's clipboard (true) or no longer waited for (false). */
  onOffered?(waiting: boolean): void;
}

export class DesktopFiles {
  /** Files the machine's clipboard offers now (at most MAX_LISTED), and how many it offers in all. */
  offered = $state<OfferedFile[]>([]);
  offeredCount = $state(0);
  transfers = $state<Transfer[]>([]);
  /** A sentence about the last thing that could not be done. */
  notice = $state('');
  private provider: FileProvider | undefined;
  /** Files the page sent wait on the machine's clipboard (told to options.onOffered). */
  private waiting = false;

  constructor(
    /** `to`: uploads allowed, `from`: downloads allowed (the link's file-transfer and clipboard rules). */
    readonly ways: ClipboardWays,
    private readonly options: FilesOptions = { save: saveWithLink },
  ) {}

  get connected(): boolean {
    return this.provider !== undefined;
  }

  /** A connection is up: listen to its provider. */
  attach(provider: FileProvider): void {
    this.provider = provider;
    provider.on('files-available', (files) => {
      if (this.provider !== provider) return;
      const listed: OfferedFile[] = [];
      let count = 0;
      files.forEach((f, index) => {
        if (f.isDirectory) return;
        count++;
        if (listed.length < MAX_LISTED) listed.push({ index, name: f.name, size: f.size });
      });
      this.offered = this.ways.from ? listed : [];
      this.offeredCount = this.ways.from ? count : 0;
    });
    const progress = (p: TransferProgress) => {
      const t = this.find(p.transferId);
      if (!t || t.state === 'failed') return;
      t.bytes = p.bytesTransferred;
      t.size = p.totalBytes;
      if (t.state === 'offered') t.state = 'moving';
    };
    provider.on('upload-progress', progress);
    provider.on('download-progress', progress);
    provider.on('upload-complete', (_file, _index, transferId) => {
      const t = this.find(transferId);
      if (t) {
        t.state = 'done';
        t.bytes = t.size;
      }
    });
    provider.on('error', (e) => {
      const t = e.transferId !== undefined ? this.find(e.transferId) : undefined;
      const sentence = errorSentence(e);
      if (t) {
        t.state = 'failed';
        t.error = sentence;
      } else {
        this.notice = sentence;
      }
    });
  }

  /** The connection ended (or is being remade at a new size): what was under way cannot finish. */
  detach(): void {
    this.provider = undefined;
    this.offered = [];
    this.offeredCount = 0;
    for (const t of this.transfers) {
      if (t.state === 'offered' || t.state === 'moving') {
        t.state = 'failed';
        t.error = t.way === 'up'
          ? 'The connection to the machine closed before the file was pasted there.'
          : 'The connection to the machine closed before the file arrived.';
      }
    }
    this.setWaiting(false);
  }

  /** Puts `files` on the machine's clipboard, to be pasted there. */
  upload(files: File[]): void {
    this.notice = '';
    if (!files.length) return;
    if (!this.ways.to) {
      this.notice = RULE_SENTENCES.upload;
      return;
    }
    const provider = this.provider;
    if (!provider) {
      this.notice = 'The desktop is not connected: wait for it, then send the files again.';
      return;
    }
    let handle: ReturnType<FileProvider['uploadFiles']>;
    try {
      handle = provider.uploadFiles(files);
    } catch (e) {
      this.notice = /in progress/i.test(String(e))
        ? 'The files sent before are still waiting on the machine\'s clipboard: paste them there first, then send these.'
        : `The files could not be put on the machine's clipboard: ${String(e)}.`;
      return;
    }
    // A new batch replaces the one before on the machine's clipboard.
    this.transfers = this.transfers.filter((t) => t.way !== 'up' || t.state === 'done' || t.state === 'failed');
    files.forEach((f, i) => {
      this.transfers.push({ way: 'up', transferId: handle.transferIds.get(i) ?? -1 - i, name: f.name, size: f.size, bytes: 0, state: 'offered' });
    });
    this.setWaiting(true);
    handle.completion.then(
      () => this.provider === provider && this.setWaiting(false),
      () => undefined, // each file's failure came as an 'error' event
    );
  }

  /** Takes file `index` of the machine's list and saves it. */
  async download(file: OfferedFile): Promise<void> {
    this.notice = '';
    if (!this.ways.from) {
      this.notice = RULE_SENTENCES.download;
      return;
    }
    const provider = this.provider;
    if (!provider) return;
    let handle: ReturnType<FileProvider['downloadFile']>;
    try {
      handle = provider.downloadFile({ name: file.name, size: file.size, lastModified: 0 }, file.index);
    } catch {
      this.notice = `Could not ask the machine for "${file.name}": the connection is closing.`;
      return;
    }
    const t: Transfer = { way: 'down', transferId: handle.transferId, name: file.name, size: file.size, bytes: 0, state: 'moving' };
    this.transfers.push(t);
    const live = this.find(handle.transferId)!; // the reactive proxy of `t`
    try {
      const blob = await handle.completion;
      live.bytes = live.size = blob.size;
      live.state = 'done';
      this.options.save(blob, file.name);
    } catch (e) {
      if (live.state !== 'failed') {
        live.state = 'failed';
        live.error = `Could not download "${file.name}": ${String((e as Error)?.message ?? e)}.`;
      }
    }
  }

  /** Clears finished and failed transfers from the list. */
  clearFinished(): void {
    this.transfers = this.transfers.filter((t) => t.state === 'offered' || t.state === 'moving');
    this.notice = '';
  }

  private setWaiting(on: boolean): void {
    if (this.waiting === on) return;
    this.waiting = on;
    this.options.onOffered?.(on);
  }

  private find(transferId: number): Transfer | undefined {
    return this.transfers.find((t) => t.transferId === transferId);
  }
}

/** IronRDP's error, as a sentence for the visitor. */
export function errorSentence(e: FileTransferError): string {
  const name = e.fileName ? `"${e.fileName}"` : 'the files';
  const verb = e.direction === 'upload' ? 'send' : 'download';
  if (/Remote failed to provide/i.test(e.message)) {
    return `Could not download ${name}: the machine did not hand over its contents (it may have been moved or deleted, or this link does not allow downloads).`;
  }
  if (/lock expired/i.test(e.message)) return `Could not download ${name}: the machine's clipboard changed before it arrived. Copy it there again.`;
  if (/read timeout|Failed to read/i.test(e.message)) return `Could not send ${name}: the browser could not read the file.`;
  return `Could not ${verb} ${name}: ${e.message.replace(/\.$/, '')}.`;
}

/** Saves a Blob with a temporary link (the provider holds the whole file in memory anyway). */
export function saveWithLink(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** "12 bytes", "1.5 KB", "3.2 MB". */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}
