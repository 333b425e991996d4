// One shareable link to a real xrdp, for the RDP specs that need nothing more: Postern and xrdp start
// once per file (skipped off CI where xrdp cannot run, see needXrdp), and a page signs in through it.
import { expect, test, type Page } from '@playwright/test';
import { startXrdp, type XrdpServer } from '../support/xrdp';
import { addResource, createLinks, setFeature, startPostern, type Postern } from './postern';
import { needXrdp } from './rdp-canvas';

export interface XrdpStage {
  pt: Postern;
  xrdp: XrdpServer;
  /** The link's token, to open `${pt.url}/#/l/${token}`. */
  token: string;
  resourceName: string;
}

/** Registers the file's beforeAll/afterAll; the stage's fields are set once beforeAll has run. */
export function xrdpLinkStage(resourceName: string): XrdpStage {
  needXrdp();
  const stage = { resourceName } as XrdpStage;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    [stage.pt, stage.xrdp] = await Promise.all([startPostern(), startXrdp()]);
    await setFeature(stage.pt, true);
    const r = await addResource(stage.pt, resourceName, { rdp: [stage.xrdp.port] });
    stage.token = (await createLinks(stage.pt, [r.id]))[0].token;
  });
  test.afterAll(async () => {
    await stage.pt?.stop();
    await stage.xrdp?.stop();
  });
  return stage;
}

/** Opens the link, signs in to RDP as the test user and waits for the desktop and xrdp's session. */
export async function openDesktop(page: Page, stage: XrdpStage): Promise<void> {
  await page.goto(`${stage.pt.url}/#/l/${stage.token}`);
  await expect(page.getByRole('heading', { name: `Sign in to ${stage.resourceName}` })).toBeVisible();
  await page.getByRole('radio', { name: 'RDP', exact: true }).check();
  await page.getByLabel('Username').fill(stage.xrdp.user);
  await page.getByLabel('Password', { exact: true }).fill(stage.xrdp.password);
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByLabel(new RegExp(`^Desktop of ${stage.resourceName}`))).toBeVisible({ timeout: 30_000 });
  await stage.xrdp.waitForSession(30_000);
}
