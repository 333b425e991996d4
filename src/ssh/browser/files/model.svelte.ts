// What the Files panel shows and does, as reactive state: the folder, its entries, the transfers with
// their progress, and a sentence beside each file an operation failed on. FilesPanel.svelte reads it.
import type { FileEntry } from './protocol';
import { FileError, type FilesChannel, type RunningTransfer } from './channel';
import { joinPath, nameProblem, parentPath, sortEntries } from './format';
import { chooseSaveTarget } from './save';

export interface TransferView {
  id: number;
  name: string;
  direction: 'upload' | 'download';
  /** The folder it goes to or comes from, so a finished upload refreshes the right listing. */
  folder: string;
  bytes: number;
  total?: number;
  startedAt: number;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  /** What happened, as a sentence, once it ended. */
  message: string;
}

/** What the link lets files do: `upload` page → machine, `download` machine → page. */
export interface FileRule {
  upload: boolean;
  download: boolean;
}

export class FilesModel {
  open = $state(false);
  cwd = $state('');
  entries = $state<FileEntry[]>([]);
  loading = $state(false);
  /** Why the folder could not be listed. */
  listError = $state('');
  /** A sentence beside the entry (by name) an operation failed on; '' for the panel's own controls. */
  rowErrors = $state<Record<string, string>>({});
  transfers = $state<TransferView[]>([]);
  /** The folder the shell last reported (OSC 7, src/terminal/osc7.ts); '' while it has said none. */
  shellFolder = $state('');
  /** Why the panel did not open in the shell's folder (it could not be listed), shown as a hint. */
  folderNote = $state('');
  /** The clock the progress lines read, ticking while a transfer runs. */
  now = $state(performance.now());
  private nextTransfer = 1;
  /** The transfers under way, by id (kept out of the reactive state: they hold promises and callbacks). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- not shown: the view reads `transfers`
  private readonly running = new Map<number, RunningTransfer>();
  private ticker: ReturnType<typeof setInterval> | undefined;
  /** The shell folder the panel last went to on its own, so reopening does not undo the visitor's browsing. */
  private followed = '';

  constructor(
    private readonly channel: FilesChannel,
    readonly rule: FileRule,
  ) {}

  /**
   * Opens the panel: in the shell's current folder when the shell has reported a new one (OSC 7),
   * else where it was, else in the home directory (REALPATH "."). A shell folder that cannot be
   * listed leaves a hint and the panel opens as if none had been reported.
   */
  async show(): Promise<void> {
    this.open = true;
    const shell = this.shellFolder;
    if (shell && shell !== this.followed) {
      this.followed = shell;
      this.folderNote = '';
      if (await this.goTo(shell)) return;
      this.folderNote = `Not opened in the shell's folder: ${this.listError}`;
    }
    if (this.cwd && (await this.goTo(this.cwd))) return;
    this.loading = true;
    this.listError = '';
    try {
      const { path } = await this.channel.request({ op: 'home' });
      await this.goTo(path ?? '/');
    } catch (e) {
      this.listError = sentence(e);
      this.loading = false;
    }
  }

  /** The shell reported its folder. An open panel does not move: it offers to (FilesPanel's button). */
  shellFolderChanged(path: string): void {
    this.shellFolder = path;
  }

  /** Goes to the shell's folder (the visitor asked). */
  async followShell(): Promise<void> {
    const shell = this.shellFolder;
    if (!shell) return;
    this.followed = shell;
    this.folderNote = '';
    await this.goTo(shell);
  }

  hide(): void {
    this.open = false;
  }

  /** Lists `path` and shows it; false (with listError set, the old folder still shown) when it cannot be listed. */
  async goTo(path: string): Promise<boolean> {
    this.loading = true;
    try {
      const { entries } = await this.channel.request({ op: 'list', path });
      this.cwd = path;
      this.entries = sortEntries(entries ?? []);
      this.listError = '';
      this.rowErrors = {};
      return true;
    } catch (e) {
      this.listError = sentence(e);
      return false;
    } finally {
      this.loading = false;
    }
  }

  refresh(): Promise<boolean> {
    return this.goTo(this.cwd);
  }

  up(): Promise<boolean> {
    return this.goTo(parentPath(this.cwd));
  }

  enter(entry: FileEntry): Promise<boolean> {
    return this.goTo(joinPath(this.cwd, entry.name));
  }

  private setRowError(name: string, message: string): void {
    this.rowErrors = { ...this.rowErrors, [name]: message };
  }

  clearRowError(name: string): void {
    const { [name]: _, ...rest } = this.rowErrors;
    this.rowErrors = rest;
  }

  /** Makes a folder here; a sentence when the name or the server refuses ('' when it worked). */
  async mkdir(name: string): Promise<string> {
    const problem = nameProblem(name);
    if (problem) return problem;
    try {
      await this.channel.request({ op: 'mkdir', path: joinPath(this.cwd, name) });
      await this.refresh();
      return '';
    } catch (e) {
      return sentence(e);
    }
  }

  /** Renames an entry of this folder; a sentence beside the name field when refused ('' when it worked). */
  async rename(entry: FileEntry, to: string): Promise<string> {
    const problem = nameProblem(to);
    if (problem) return problem;
    if (to === entry.name) return '';
    try {
      await this.channel.request({ op: 'rename', from: joinPath(this.cwd, entry.name), to: joinPath(this.cwd, to) });
      await this.refresh();
      return '';
    } catch (e) {
      return sentence(e);
    }
  }

  async remove(entry: FileEntry): Promise<void> {
    this.clearRowError(entry.name);
    try {
      // A link is removed as a file (unlink), whatever it points to; what it points to stays.
      await this.channel.request({ op: 'remove', path: joinPath(this.cwd, entry.name), folder: entry.folder && !entry.link });
      await this.refresh();
    } catch (e) {
      this.setRowError(entry.name, sentence(e));
    }
  }

  /** Uploads the files into this folder, one after another, each with its own progress. */
  async upload(files: readonly File[]): Promise<void> {
    if (!this.rule.upload) return;
    const folder = this.cwd;
    const views = files.map((f) => this.addTransfer(f.name, 'upload', folder, f.size));
    for (const [i, file] of files.entries()) {
      const view = views[i];
      if (this.transfers.find((t) => t.id === view.id)?.state !== 'running') continue; // cancelled while waiting its turn
      const running = this.channel.upload(joinPath(folder, file.name), file, (bytes) => this.update(view.id, { bytes }));
      this.running.set(view.id, running);
      this.update(view.id, { startedAt: performance.now() });
      await this.finish(view.id, running, `Uploaded “${file.name}”.`);
      if (this.cwd === folder) await this.refresh();
    }
  }

  /** Downloads a file: call it from the click, which the save picker needs. */
  async download(entry: FileEntry): Promise<void> {
    if (!this.rule.download) return;
    this.clearRowError(entry.name);
    let target;
    try {
      target = await chooseSaveTarget(entry.name);
    } catch (e) {
      return this.setRowError(entry.name, `Could not save “${entry.name}” on this computer: ${String(e)}`);
    }
    if (!target) return; // the visitor closed the picker
    const view = this.addTransfer(entry.name, 'download', this.cwd, entry.size);
    const running = this.channel.download(joinPath(this.cwd, entry.name), (chunk) => target.write(chunk), (bytes) => this.update(view.id, { bytes }));
    this.running.set(view.id, running);
    const ok = await this.finish(view.id, running, target.kind === 'disk' ? `Saved “${entry.name}”.` : `Downloaded “${entry.name}”.`);
    await (ok ? target.close() : target.abort()).catch(() => undefined);
  }

  cancel(id: number): void {
    const view = this.transfers.find((t) => t.id === id);
    if (!view || view.state !== 'running') return;
    const running = this.running.get(id);
    if (running) running.cancel();
    else this.update(id, { state: 'cancelled', message: `Cancelled “${view.name}”.` });
  }

  /** Takes finished transfers off the list. */
  clearFinished(): void {
    this.transfers = this.transfers.filter((t) => t.state === 'running');
  }

  private addTransfer(name: string, direction: 'upload' | 'download', folder: string, total: number | undefined): TransferView {
    const view: TransferView = { id: this.nextTransfer++, name, direction, folder, bytes: 0, total, startedAt: performance.now(), state: 'running', message: '' };
    this.transfers = [...this.transfers, view];
    this.tick();
    return view;
  }

  private update(id: number, change: Partial<TransferView>): void {
    this.transfers = this.transfers.map((t) => (t.id === id ? { ...t, ...change } : t));
  }

  private async finish(id: number, running: RunningTransfer, doneSentence: string): Promise<boolean> {
    try {
      const bytes = await running.done;
      this.update(id, { state: 'done', bytes, message: doneSentence });
      return true;
    } catch (e) {
      const cancelled = e instanceof FileError && e.kind === 'cancelled';
      this.update(id, { state: cancelled ? 'cancelled' : 'failed', message: sentence(e) });
      return false;
    } finally {
      this.running.delete(id);
      this.tick();
    }
  }

  /** Keeps `now` moving once a second while a transfer runs, for the rate and the time left. */
  private tick(): void {
    this.now = performance.now();
    const running = this.transfers.some((t) => t.state === 'running');
    if (running && !this.ticker) this.ticker = setInterval(() => (this.now = performance.now()), 1000);
    if (!running && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  dispose(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
  }
}

function sentence(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
