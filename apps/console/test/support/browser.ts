import { afterAll, beforeAll, describe } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../../../api/test/support/test-app.js';

/**
 * The browser tests drive the built console (dist/console) in Debian's Chromium against the
 * whole app over HTTP: real PostgreSQL, the demo org tree and accounts, and a clock the test
 * drives, which the pages see too.
 */
const CHROMIUM = '/usr/bin/chromium';
const ROOT = new URL('../../../../', import.meta.url).pathname;
const CONSOLE_INDEX = join(ROOT, 'dist', 'console', 'index.html');
export const SCREENSHOTS = join(ROOT, 'test-artifacts', 'console');

/** A timeout for steps that start servers and browsers. */
export const SLOW = 60_000;

/**
 * `describe`, or `describe.skip` when Chromium is not installed (with the reason printed). With
 * CI or REQUIRE_BROWSER=1 a missing Chromium fails the suite instead.
 */
export function describeInBrowser(suite: string): typeof describe.skip {
  if (existsSync(CHROMIUM)) return describe;
  const reason = `${suite}: ${CHROMIUM} is missing (apt-get install -y chromium)`;
  if (process.env.CI || process.env.REQUIRE_BROWSER === '1')
    throw new Error(`${reason}; CI and REQUIRE_BROWSER=1 need the browser tests to run`);
  console.warn(`[test] skipped: ${reason}`);
  return describe.skip;
}

export interface ConsoleHarness {
  readonly t: TestApp;
  /** http://127.0.0.1:<port> */
  readonly base: string;
  /** A fresh browser tab with its own session storage, its clock set to the app's. */
  page(viewport?: { width: number; height: number }): Promise<Page>;
  /** Logs a demo account in on a new tab and waits for the first screen. */
  loginAs(username: string, viewport?: { width: number; height: number }): Promise<Page>;
  /** Waits until every read model has caught up with the last event, so another user's lists show it. */
  settle(): Promise<void>;
  /** Saves a full-page screenshot under test-artifacts/console/. */
  screenshot(page: Page, name: string): Promise<void>;
}

/** Starts the app on a free port and a headless Chromium before the file's tests; stops both after. */
export function useConsole(started: (harness: ConsoleHarness) => void): void {
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    if (!existsSync(CONSOLE_INDEX)) throw new Error(`the console is not built (${CONSOLE_INDEX} is missing): run \`npm run build\` first`);
    await mkdir(SCREENSHOTS, { recursive: true });
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    const app = t;
    const open = browser;

    const page = async (viewport = { width: 1280, height: 900 }) => {
      const context = await open.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      contexts.push(context);
      await context.clock.setFixedTime(app.now());
      const tab = await context.newPage();
      tab.setDefaultTimeout(15_000);
      return tab;
    };

    started({
      t: app,
      base,
      page,
      async loginAs(username, viewport) {
        const tab = await page(viewport);
        await tab.goto(base);
        await tab.locator('input[name="username"]').fill(username);
        await tab.locator('input[name="password"]').fill(DEMO_PASSWORD);
        await tab.locator('form button[type="submit"]').click();
        await tab.locator('.account-name').waitFor();
        return tab;
      },
      settle: () => app.settle(),
      async screenshot(tab, name) {
        await tab.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
      },
    });
  }, SLOW);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  }, SLOW);
}
