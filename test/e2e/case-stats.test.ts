/**
 * The case metrics dashboard in a real Chromium, as an access administrator: twelve cases (the
 * demo's and eleven more, ten of them decided after one to five days), the charts and the tables
 * beside them, figures withheld under the small-count rule read "<10", the month filter (a
 * reversed range is refused beside the field), every label in both languages, and nothing
 * scrolling sideways at 390 px.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createDataCopiesModule } from '../../control-plane/src/data-copies/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { launchBrowser, openSession, settle } from './browser.ts';
import { ensureUiBuilt } from './build-ui.ts';
import { labelProblems, switchLanguage } from './language.ts';

// Runs in the page (page.evaluate), where the DOM is.
declare const document: any;

let platform: TestPlatform;
let browser: Browser;
let month: string;

const DAY = 86_400_000;

beforeAll(async () => {
  await ensureUiBuilt();
  // The platform's clock starts at the real time (the browser drops session cookies that expire in
  // its past) and only moves forward, before anyone logs in.
  platform = await startTestPlatform({}, { now: new Date().toISOString(), modules: [createDataCopiesModule({ reconcileMs: 3_600_000, demoRows: 1000 })] });
  // The demo project's copy, made at the start: the one case with a copy.
  await platform.modules.dataCopies.demoReady();
  const [demo] = await platform.deps.store.query<{ id: string }>('SELECT id FROM projects ORDER BY created_at LIMIT 1');
  for (let i = 0; i < 100 && (await platform.deps.store.query('SELECT 1 FROM data_copies WHERE project_id = $1', [demo!.id])).length === 0; i++) {
    await platform.modules.dataCopies.reconciler.runOnce(demo!.id);
    await new Promise((r) => setTimeout(r, 100));
  }
  month = platform.clock.now().toISOString().slice(0, 7);
  const apps: string[] = [];
  for (let i = 1; i <= 11; i++) {
    const r = await platform.call('POST', '/api/applications', {
      as: 'lead',
      body: {
        kind: 'new',
        caseType: i === 11 ? 'rolling' : 'one_off',
        project: {
          title: `Metrics study ${i}`,
          purpose: 'A registry study for the case metrics walk.',
          dataControllers: ['Norwegian Institute of Public Health'],
          legalBasis: 'hrl-19',
          period: { from: '2026-01-01', to: '2029-12-31' },
        },
        datasets: [{ dataset: 'population', variables: ['sex', 'birth_date'] }],
        period: { from: '2018-01-01', to: '2024-12-31' },
      },
    });
    expect(r.status).toBe(201);
    apps.push(r.body.id);
  }
  // Decided after 1, 2, ... 5 days (two each); the eleventh is still open.
  for (let i = 0; i < 10; i++) {
    platform.clock.set(new Date(platform.clock.now().getTime() + (i % 2 === 0 ? DAY : 0)));
    const r = await platform.call('POST', `/api/applications/${apps[i]}/decision`, { as: 'admin1', body: { decision: 'approve', reason: 'in order' } });
    expect(r.status).toBe(200);
  }
  browser = await launchBrowser('case-stats');
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

const cellTexts = (s: { page: import('playwright-core').Page }, testId: string) =>
  s.page
    .getByTestId(testId)
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent)));

describe('case metrics dashboard', () => {
  it('shows the charts with their numbers beside them, "<10" where the API withholds, in both languages', async () => {
    const s = await openSession(browser, platform.url, 'admin1', { lang: 'en' });
    await s.page.locator('nav.sidenav a[data-nav="case-stats"]').click();
    await settle(s.page);
    await s.page.getByTestId('case-totals').waitFor();
    await s.shot('case-stats-en');
    const api = (await platform.call('GET', '/api/stats/cases', { as: 'admin1' })).body;
    expect(api.byMonth.map((c: { key: string; applications: number }) => [c.key, c.applications])).toEqual([[month, 12]]);
    const demoMonth = api.byMonth[0];
    const decision = demoMonth.leadTimes.decision;
    expect(decision.n).toBe(11);
    // The month: 12 cases, 1 open (withheld), medians of the decided eleven (0 1 1 2 2 3 3 4 4 5 5 days), one copy (withheld).
    expect(decision.gross.median).toBe(3);
    expect(await cellTexts(s, 'by-month')).toEqual([[month, '12', '<10', '3', '3', '<10', '<10']]);
    // Case types: eleven one-off, all decided (0 open is shown), one rolling (withheld whole).
    expect((await cellTexts(s, 'by-type')).map((r) => r.slice(0, 3))).toEqual([
      ['One-off delivery', '11', '0'],
      ['Rolling case', '<10', '<10'],
    ]);
    await expect(s.page.getByTestId('chart-months').locator('svg[role="img"]').getAttribute('aria-label')).resolves.toMatch(/bar chart over 1 groups/);
    await expect(s.page.getByTestId('case-stats-rules').textContent()).resolves.toMatch(/fewer than 10 applications is shown as <10/);
    expect(await labelProblems(s.page, s.data)).toEqual({ foreign: { nb: [], en: [] }, unchanged: [] });
    await switchLanguage(s.page, 'nb');
    await s.shot('case-stats-nb');
    await expect(s.page.locator('main h1').textContent()).resolves.toBe('Saksstatistikk');
    await s.close();
  }, 120_000);

  it('filters by month and refuses a reversed range beside the field', async () => {
    const s = await openSession(browser, platform.url, 'admin2', { lang: 'en' });
    await s.visit('/admin/case-stats', 'case-stats');
    await s.page.locator('#cs-from').fill('2030-05');
    await s.page.locator('#cs-to').fill('2030-04');
    await s.page.locator('button[data-action="case-stats-filter"]').click();
    const alert = s.page.locator('#cs-error[role="alert"]');
    await expect(alert.textContent()).resolves.toBe('The to month must not be before the from month.');
    await expect(s.page.locator('#cs-to').getAttribute('aria-describedby')).resolves.toBe('cs-error');
    await s.shot('case-stats-reversed');
    await s.page.locator('#cs-to').fill('2030-06');
    const answer = s.page.waitForResponse((r) => r.url().endsWith('/api/stats/cases?from=2030-05&to=2030-06'));
    await s.page.locator('button[data-action="case-stats-filter"]').click();
    expect((await answer).status()).toBe(200);
    await expect.poll(() => s.page.getByTestId('case-totals').locator('dd').first().textContent()).toBe('0');
    expect(await alert.count()).toBe(0);
    await expect(s.page.getByText('No applications in these months.').first().isVisible()).resolves.toBe(true);
    await s.close();
  }, 60_000);

  it('does not scroll sideways at 390 px, and an auditor opens it too', async () => {
    const s = await openSession(browser, platform.url, 'auditor', { lang: 'nb' });
    await s.page.setViewportSize({ width: 390, height: 800 });
    await s.visit('/admin/case-stats', 'case-stats-390');
    await s.page.getByTestId('case-totals').waitFor();
    expect(await s.page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await s.close();
  }, 60_000);
});
