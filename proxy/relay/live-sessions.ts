// Every open tunnel registers here, so that deleting a link or its resource, or switching shareable
// links off, ends the sessions that depended on it at once.
import { CLOSE } from '../../src/shared/api.ts';

export interface LiveSession {
  linkId?: string;
  resourceId: string;
  /** Ends the tunnel; the page shows `reason`. */
  end(code: number, reason: string): void;
}

export class LiveSessions {
  private sessions = new Set<LiveSession>();

  add(s: LiveSession): () => void {
    this.sessions.add(s);
    return () => this.sessions.delete(s);
  }

  get size(): number {
    return this.sessions.size;
  }

  private endWhere(pred: (s: LiveSession) => boolean, code: number, reason: string): number {
    let n = 0;
    for (const s of [...this.sessions]) {
      if (pred(s)) {
        this.sessions.delete(s);
        s.end(code, reason);
        n++;
      }
    }
    return n;
  }

  endLinks(linkIds: Iterable<string>): number {
    const ids = new Set(linkIds);
    return this.endWhere((s) => s.linkId !== undefined && ids.has(s.linkId), CLOSE.linkDeleted,
      'This link was deleted, so the session was ended.');
  }

  endResource(resourceId: string): number {
    return this.endWhere((s) => s.resourceId === resourceId, CLOSE.resourceDeleted,
      'This machine was deleted from Postern, so the session was ended.');
  }

  endAllLinkSessions(): number {
    return this.endWhere((s) => s.linkId !== undefined, CLOSE.featureDisabled,
      'Shareable links were turned off, so the session was ended.');
  }
}
