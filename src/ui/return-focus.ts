// Focus goes back where it came from when a panel closes (a save, a cancel): to the control that
// opened it, if it is still on the page, so keyboard and screen-reader users are not dropped on <body>.
import { tick } from 'svelte';

export function focusReturner(): { remember(): void; restore(): Promise<void> } {
  let opener: HTMLElement | null = null;
  return {
    remember() {
      opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    },
    async restore() {
      await tick();
      if (opener?.isConnected) opener.focus();
      opener = null;
    },
  };
}
