// The terminal's renderer setting: xterm.js's DOM renderer by default; "Draw with the graphics card (WebGL)"
// loads xterm.js's WebGL renderer only where WebGL runs on a graphics card. This machine's Chromium has only
// SwiftShader (software GL), where the setting must keep the DOM renderer. The WebGL path itself is tested by
// making the page report a hardware GL name: the addon then draws into a canvas, and a lost WebGL context
// gives the rows back to the DOM renderer. Real Chromium, the real proxy, a real OpenSSH sshd.
import { expect, test, type Page } from '@playwright/test';
import { sshLinkForFile } from './ssh-link';
import { fillAndConnect, PROMPT, runInTerminal, terminalText, waitForTerminal } from './sshd-fixture';

const stage = sshLinkForFile('renderer-box');

async function connect(page: Page) {
  await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
  await fillAndConnect(page, { username: stage.sshd.fixture.user, password: stage.sshd.fixture.password });
  await waitForTerminal(page, PROMPT);
}

async function turnOnWebgl(page: Page) {
  await page.getByTestId('terminal-settings').locator('summary').click();
  await page.getByRole('checkbox', { name: 'Draw with the graphics card (WebGL)' }).check();
  await page.getByTestId('terminal-settings').locator('summary').click();
  expect(JSON.parse((await page.evaluate(() => localStorage.getItem('postern.terminal')))!).renderer).toBe('webgl');
}

const canvases = (page: Page) => page.locator('.ssh-terminal .xterm-screen canvas').count();

test('with a software GL only, the WebGL setting keeps the DOM renderer: the rows stay text', async ({ page }) => {
  await connect(page);
  const gl = await page.evaluate(() => {
    const c = document.createElement('canvas').getContext('webgl2');
    const info = c?.getExtension('WEBGL_debug_renderer_info');
    return info ? String(c!.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
  });
  expect(gl).toContain('SwiftShader'); // what this test is about; a machine with a GPU would test something else
  await turnOnWebgl(page);
  await runInTerminal(page, 'echo dom-$((40+2))');
  await waitForTerminal(page, /dom-42/);
  expect(await canvases(page)).toBe(0);
});

test('WebGL on a graphics card draws into a canvas, and a lost context gives the rows back to the DOM renderer', async ({ page }) => {
  // The page is told its GL is a graphics card's (the context underneath is still SwiftShader's).
  await page.addInitScript(() => {
    const real = WebGL2RenderingContext.prototype.getParameter;
    WebGL2RenderingContext.prototype.getParameter = function (this: WebGL2RenderingContext, p: number) {
      return p === 0x9246 /* UNMASKED_RENDERER_WEBGL */ ? 'ANGLE (Test GPU)' : real.call(this, p);
    };
  });
  await connect(page);
  await turnOnWebgl(page);
  await expect.poll(() => canvases(page)).toBeGreaterThan(0);
  await expect(page.locator('.ssh-terminal .xterm-rows')).toHaveCount(0);

  // A GPU reset: the WebGL renderer gives up and xterm.js draws with the DOM again.
  await page.evaluate(() => {
    for (const canvas of document.querySelectorAll<HTMLCanvasElement>('.ssh-terminal .xterm-screen canvas')) {
      canvas.getContext('webgl2')?.getExtension('WEBGL_lose_context')?.loseContext();
    }
  });
  await expect.poll(() => canvases(page)).toBe(0);
  await runInTerminal(page, 'echo back-$((40+2))');
  await waitForTerminal(page, /back-42/);
  expect(await terminalText(page)).toContain('back-42');
});
