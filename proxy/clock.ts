// The proxy's clock. Link policies (expiry, weekly hours) are judged by it, never by Date.now()
// directly, so that tests can move it instead of sleeping: POSTERN_TEST_CLOCK_FILE names a file
// holding milliseconds to add to the real time (read at each look, so a test can rewrite it).
import { readFileSync } from 'node:fs';

export function clockFrom(env: NodeJS.ProcessEnv): () => Date {
  const file = env.POSTERN_TEST_CLOCK_FILE;
  if (!file) return () => new Date();
  return () => {
    let offset = 0;
    try {
      offset = Number(readFileSync(file, 'utf8').trim()) || 0;
    } catch {
      // No file yet: the real time.
    }
    return new Date(Date.now() + offset);
  };
}
