// One form's submission as its page shows it: whether it is running (controls disabled), and the
// sentence it ended with, a failure's or what was done.

export class FormAction {
  busy = $state(false);
  error = $state('');
  done = $state('');

  /** `problem` turns a failure into the sentence to show. */
  constructor(private readonly problem: (e: unknown) => string) {}

  /** Clears both sentences and runs `work`; the sentence it resolves to is `done`, a failure's is `error`. */
  async run(work: () => Promise<string | void>): Promise<void> {
    this.error = this.done = '';
    this.busy = true;
    try {
      this.done = (await work()) ?? '';
    } catch (e) {
      this.error = this.problem(e);
    } finally {
      this.busy = false;
    }
  }

  /** Ends an attempt before any work: clears both sentences, then shows `why` (if any) as the error. */
  refuse(why = ''): void {
    this.done = '';
    this.error = why;
  }
}
