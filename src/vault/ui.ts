// Small helpers the vault and known-hosts pages share: a sentence for any failure, and saving a file.
import { KeyError } from '../ssh/keys';
import { VaultError } from './errors';

/** The sentence to show for a failure. Our own errors already carry one; anything else is unexpected. */
export function problem(e: unknown): string {
  if (e instanceof VaultError || e instanceof KeyError) return e.message;
  return 'Something went wrong in this browser. Reload the page and try again.';
}

/** Offers text as a file download, without a server round trip. */
export function saveFile(fileName: string, text: string, type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // Give the browser a moment to start the download before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name from a user's label: letters, digits, dot, dash and underscore survive; the rest become "_". */
export function fileNameFrom(label: string, fallback: string): string {
  const cleaned = label.normalize('NFKD').replace(/[^\w.-]+/g, '_').replace(/^[._]+|_+$/g, '');
  return cleaned.slice(0, 60) || fallback;
}
