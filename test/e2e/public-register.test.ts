/** The public register of projects, in a real Chromium, for someone who is not logged in. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { launchBrowser, openSession } from './browser.ts';
import { ensureUiBuilt } from './build-ui.ts';
import { labelProblems } from './language.ts';

let platform: TestPlatform;
let browser: Browser;

beforeAll(async () => {
  await ensureUiBuilt();
  platform = await startTestPlatform({}, { now: new Date().toISOString() });
  browser = await launchBrowser('public-register');
});
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe('public register', () => {
  it('is reached from the login page without logging in and lists the demo project in both languages', async () => {
    const s = await openSession(browser, platform.url, 'public', { login: false, lang: 'en' });
    try {
      await s.visit('/', 'login');
      await s.page.getByRole('link', { name: 'Register of projects that use health data' }).click();
      await s.page.locator('[data-testid="public-register"]').waitFor();
      await s.shot('register');
      // biome-ignore lint/performance/useDomNodeTextContent: the text as shown, hidden nodes left out
      const text = await s.page.locator('main').innerText();
      expect(text).toContain('Diabetes medication and cardiovascular outcomes');
      expect(text).toContain('Health Research Act § 35');
      expect(await s.page.locator('nav.sidenav').count()).toBe(0);
      const problems = await labelProblems(s.page, s.data);
      expect(problems).toEqual({ foreign: { nb: [], en: [] }, unchanged: [] });
      await s.shot('register-checked');
    } finally {
      await s.close();
    }
  });
});
