// What the SSH session's question dialogs (host key, keyboard-interactive) share: each is a modal
// shown while it is on the page, and each answers its question once, however it is closed.

/** For {@attach}: shows the <dialog> as a modal, and closes it when it leaves the page. */
export function modal(dialog: HTMLDialogElement): () => void {
  dialog.showModal();
  return () => dialog.close();
}

/** `answer`, passed on the first call only: Escape after a click, or a double click, answers nothing more. */
export function answerOnce<T>(answer: (value: T) => void): (value: T) => void {
  let answered = false;
  return (value) => {
    if (answered) return;
    answered = true;
    answer(value);
  };
}
