/**
 * Notifications in a real Chromium: the lead watches the bell while an access administrator
 * decides the lead's application; the count rises without a reload, in English and Norwegian,
 * and the notifications page says what happened in the page's language and marks it read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { launchBrowser, openSession, settle } from './browser.ts';
import { ensureUiBuilt } from './build-ui.ts';
import { labelProblems, switchLanguage } from './language.ts';

/** Browser globals used inside `page.evaluate` callbacks (tests type-check without the DOM library). */
declare const window: any;

let platform: TestPlatform;
let browser: Browser;

beforeAll(async () => {
  await ensureUiBuilt();
  platform = await startTestPlatform({}, { now: new Date().toISOString() });
  browser = await launchBrowser('notifications');
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

async function decideNewApplication(title: string): Promise<string> {
  const app = await platform.call('POST', '/api/applications', {
    as: 'lead',
    body: {
      kind: 'new',
      project: {
        title,
        purpose: 'A study whose decision the lead waits for.',
        dataControllers: ['NIPH'],
        legalBasis: 'hrl-19',
        period: { from: '2018-01-01', to: '2027-12-31' },
      },
      datasets: [{ dataset: 'prescriptions', variables: ['dispense_date', 'atc_code'] }],
      period: { from: '2018-01-01', to: '2025-12-31' },
      members: [],
    },
  });
  expect(app.status).toBe(201);
  const decided = await platform.call('POST', `/api/applications/${app.body.id}/decision`, {
    as: 'admin1',
    body: { decision: 'reject', reason: 'The purpose needs more detail.' },
  });
  expect(decided.status).toBe(200);
  return app.body.id as string;
}

describe('notifications in the browser', () => {
  it("the bell's count rises when an administrator decides the lead's application, without reload, in both languages", async () => {
    const s = await openSession(browser, platform.url, 'lead', { lang: 'en' });
    try {
      const bell = s.page.locator('[data-testid="bell"]');
      const count = s.page.locator('[data-testid="bell-count"]');
      const before = (await platform.call('GET', '/api/notifications/unread', { as: 'lead' })).body.unread as number;
      await s.page.waitForFunction((n) => window.document.querySelector('[data-testid="bell-count"]')?.textContent === (n > 0 ? String(n) : ''), before);
      expect(await bell.getAttribute('aria-label')).toBe(before > 0 ? `Notifications, ${before} unread` : 'Notifications');
      expect(await count.getAttribute('aria-live')).toBe('polite');
      await s.shot('bell-before');
      await s.page.evaluate(() => {
        window.__notReloaded = true;
      });

      const id = await decideNewApplication('Told in the browser');
      await s.page.waitForFunction((n) => window.document.querySelector('[data-testid="bell-count"]')?.textContent === String(n), before + 1, {
        timeout: 15_000,
      });
      expect(await bell.getAttribute('aria-label')).toBe(`Notifications, ${before + 1} unread`);
      expect(await s.page.evaluate(() => window.__notReloaded)).toBe(true);
      await s.shot('bell-after');

      await switchLanguage(s.page, 'nb');
      expect(await bell.getAttribute('aria-label')).toBe(`Varsler, ${before + 1} uleste`);
      await s.shot('bell-after-nb');
      await switchLanguage(s.page, 'en');

      await bell.click();
      await s.page.locator('[data-testid="notifications"]').waitFor();
      await settle(s.page);
      const newest = s.page.locator('[data-testid="notifications"] li').first();
      // biome-ignore lint/performance/useDomNodeTextContent: the text as shown, hidden nodes left out
      expect(await newest.innerText()).toContain(`Application ${id} was rejected`);
      await s.shot('page-en');
      await switchLanguage(s.page, 'nb');
      // biome-ignore lint/performance/useDomNodeTextContent: the text as shown, hidden nodes left out
      expect(await newest.innerText()).toContain(`Søknad ${id} er avslått`);
      await s.shot('page-nb');
      await switchLanguage(s.page, 'en');
      expect(await labelProblems(s.page, s.data)).toEqual({ foreign: { nb: [], en: [] }, unchanged: [] });

      await s.page.getByRole('button', { name: 'Mark all as read' }).click();
      await s.page.waitForFunction(() => window.document.querySelector('[data-testid="bell-count"]')?.textContent === '');
      expect(await bell.getAttribute('aria-label')).toBe('Notifications');
      expect((await platform.call('GET', '/api/notifications/unread', { as: 'lead' })).body).toEqual({ unread: 0 });
      await s.shot('page-all-read');
    } finally {
      await s.close();
    }
  }, 120_000);

  it('the notifications page fits a 390 px wide screen', async () => {
    const s = await openSession(browser, platform.url, 'lead', { lang: 'nb' });
    try {
      await s.page.setViewportSize({ width: 390, height: 800 });
      await s.visit('/notifications', 'narrow');
      const wide = await s.page.evaluate(() => window.document.documentElement.scrollWidth > window.innerWidth);
      expect(wide).toBe(false);
    } finally {
      await s.close();
    }
  }, 60_000);
});
