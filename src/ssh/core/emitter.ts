// A minimal typed event emitter. Every subscription returns its own unsubscribe function.

export class Emitter<Events extends Record<string, unknown>> {
  private handlers: { [K in keyof Events]?: Array<(value: Events[K]) => void> } = {};

  on<K extends keyof Events>(event: K, handler: (value: Events[K]) => void): () => void {
    (this.handlers[event] ??= []).push(handler);
    return () => {
      const list = this.handlers[event];
      if (list) this.handlers[event] = list.filter((h) => h !== handler);
    };
  }

  protected emit<K extends keyof Events>(event: K, value: Events[K]): void {
    for (const handler of this.handlers[event] ?? []) {
      try {
        handler(value);
      } catch (e) {
        // A throwing listener must not break the protocol loop; surface it as an unhandled rejection.
        void Promise.reject(e);
      }
    }
  }
}
