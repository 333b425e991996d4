/** The command line after the script. */
export const args = process.argv.slice(2);

/** The value after `--name` on the command line, or `dflt` when it is not given. */
export function arg(name: string, dflt: string): string {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
}
