// The input layer's small sink, backed by IronRDP: each call becomes one InputTransaction.
// IronRDP keeps its own table of held keys and buttons, so releaseAllInputs() lifts exactly those.
import type { DeviceEvent, IronRdp, IronSession } from '../../wasm/ironrdp';
import type { InputSink } from './input';

export function ironSink(rdp: IronRdp, session: IronSession): InputSink {
  const apply = (events: DeviceEvent[]) => {
    if (!events.length) return;
    const tx = new rdp.InputTransaction();
    for (const ev of events) tx.addEvent(ev); // addEvent takes ownership of each event
    try {
      session.applyInputs(tx);
    } catch {
      // The session is closing; its end is reported through run().
    }
  };
  return {
    keys: (events) => apply(events.map((k) => (k.down ? rdp.DeviceEvent.keyPressed(k.scancode) : rdp.DeviceEvent.keyReleased(k.scancode)))),
    move: (x, y) => apply([rdp.DeviceEvent.mouseMove(x, y)]),
    button: (button, down) => {
      // Web buttons 0-4 (left, middle, right, back, forward) are what IronRDP expects.
      if (button < 0 || button > 4) return;
      apply([down ? rdp.DeviceEvent.mouseButtonPressed(button) : rdp.DeviceEvent.mouseButtonReleased(button)]);
    },
    wheel: (vertical, amount, unit) => {
      if (amount !== 0) apply([rdp.DeviceEvent.wheelRotations(vertical, amount, unit as number)]);
    },
    releaseAll: () => {
      try {
        session.releaseAllInputs();
      } catch {
        // closing
      }
    },
  };
}
