// How the terminal is drawn. xterm.js's DOM renderer, the default, draws the rows as text in the page:
// screen readers, the browser's find and the tests read it. Its WebGL renderer (@xterm/addon-webgl,
// fetched only when chosen) draws into a canvas, meant to cost less per frame on a graphics card. Without
// one the browser runs WebGL in software (SwiftShader, llvmpipe), where xterm.js alone cost some ten times
// the CPU per MB of its DOM renderer (bench/ssh.ts --renderer webgl). So WebGL is the visitor's choice
// (settings.ts), taken only with a hardware GL; a browser without WebGL2, with a software one, or one that
// loses the context (a GPU reset) keeps or gets back the DOM renderer.
import type { Terminal } from '@xterm/xterm';

export type RendererName = 'dom' | 'webgl';

/** GL renderers that run on the CPU, by the name the browser gives (WEBGL_debug_renderer_info). */
const SOFTWARE_GL = /swiftshader|llvmpipe|softpipe|software|microsoft basic render/i;

/**
 * Whether a WebGL2 context (the addon needs WebGL2) runs on a graphics card here. A browser that hides the
 * renderer's name is given the benefit of the doubt; its context is lost again at once.
 */
export function hardwareWebgl(): boolean {
  return (probed ??= probeWebgl());
}
let probed: boolean | undefined;

function probeWebgl(): boolean {
  try {
    if (typeof document === 'undefined') return false;
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return false;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return !SOFTWARE_GL.test(name);
  } catch {
    return false;
  }
}

export class TerminalRenderer {
  private webgl: { dispose(): void } | undefined;
  /** Counts choices, so a WebGL addon that finishes loading after a newer choice (or dispose) is not used. */
  private generation = 0;
  private disposed = false;

  constructor(private readonly term: Terminal) {}

  /** The renderer drawing now ('webgl' only once its addon has loaded and made its context). */
  get active(): RendererName {
    return this.webgl ? 'webgl' : 'dom';
  }

  /** Switches to `name`; WebGL loads in the background and the DOM renderer draws until it is ready, or for good if it fails. */
  use(name: RendererName): void {
    const generation = ++this.generation;
    if (name === 'dom') return this.dropWebgl();
    if (this.webgl || this.disposed || !hardwareWebgl()) return;
    import('@xterm/addon-webgl')
      .then(({ WebglAddon }) => {
        if (generation !== this.generation || this.disposed || this.webgl) return;
        const addon = new WebglAddon();
        try {
          this.term.loadAddon(addon); // throws when the context cannot be made: the DOM renderer stays
        } catch {
          addon.dispose();
          return;
        }
        addon.onContextLoss(() => this.dropWebgl());
        this.webgl = addon;
      })
      .catch(() => undefined); // the chunk did not load: the DOM renderer stays
  }

  dispose(): void {
    this.disposed = true;
    this.dropWebgl();
  }

  /** Disposing the addon puts xterm.js's DOM renderer back. */
  private dropWebgl(): void {
    const addon = this.webgl;
    this.webgl = undefined;
    addon?.dispose();
  }
}
