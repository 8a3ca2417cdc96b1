/**
 * The explore page in a real Chromium, one walk: a researcher counts episodes by diagnosis and sex,
 * and every suppressed cell reads "<10" — the figure the API withholds is not on the page — with
 * the notice that figures are perturbed beside the result; and the application form's counts for
 * the cohort applied for, through the same API and the same rendering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createDataCopiesModule } from '../../control-plane/src/data-copies/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { launchBrowser, openSession } from './browser.ts';
import { ensureUiBuilt } from './build-ui.ts';

let platform: TestPlatform;
let browser: Browser;

beforeAll(async () => {
  await ensureUiBuilt();
  // The platform's clock starts at the real time: the browser drops session cookies that expire in its past.
  platform = await startTestPlatform({}, { now: new Date().toISOString(), modules: [createDataCopiesModule({ reconcileMs: 3_600_000, demoRows: 5000 })] });
  await platform.modules.dataCopies.demoReady();
  browser = await launchBrowser('explore');
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe('explore page', () => {
  it('shows a query’s suppressed cells as <10 and says that figures are perturbed', async () => {
    const s = await openSession(browser, platform.url, 'researcher', { lang: 'en' });
    await s.visit('/explore', 'explore');
    await s.page.locator('#by0').selectOption('patient_episodes.main_diagnosis');
    await s.page.locator('#by1').selectOption('population.sex');
    await s.page.locator('#birthYearFrom').fill('1990');
    await s.page.locator('button[data-action="explore-run"]').click();
    const result = s.page.getByTestId('explore-result');
    await result.waitFor();
    await s.shot('explore-result');
    await expect(s.page.getByTestId('explore-notice').textContent()).resolves.toMatch(/Figures are perturbed.*shown as <10/);

    const api = await platform.call('POST', '/api/explore/count', {
      as: 'researcher',
      body: { datasets: ['patient_episodes'], cohort: { birthYearFrom: 1990 }, by: ['patient_episodes.main_diagnosis', 'population.sex'] },
    });
    const rows = await result
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => ({ suppressed: tr.getAttribute('data-suppressed'), cells: [...tr.querySelectorAll('td')].map((td) => td.textContent) })),
      );
    const expected = api.body.cells.map(
      (c: { labels: string[]; names: (string | null)[]; persons: number | null; records: number | null; suppressed: boolean }) => ({
        suppressed: String(c.suppressed),
        cells: [
          ...c.labels.map((l, i) => (c.names[i] ? `${l} ${c.names[i]}` : l)),
          c.persons === null ? '<10' : String(c.persons),
          c.records === null ? '<10' : String(c.records),
        ],
      }),
    );
    expect(rows).toEqual(expected);
    expect(rows.some((r) => r.suppressed === 'true')).toBe(true);
    await s.close();
  }, 120_000);

  it('shows the application form’s count for the cohort applied for as <10 when the API suppresses it', async () => {
    const s = await openSession(browser, platform.url, 'lead', { lang: 'en' });
    await s.visit('/apply', 'apply');
    await s.page.locator('input[data-dataset="cancer"]').check();
    await s.page.locator('#birthYearFrom').fill('2020');
    await s.page.locator('button[data-action="apply-explore"]').click();
    const result = s.page.getByTestId('explore-result');
    await result.waitFor();
    await s.shot('apply-counts');
    const api = await platform.call('POST', '/api/explore/count', { as: 'lead', body: { datasets: ['cancer'], cohort: { birthYearFrom: 2020 } } });
    expect(api.body.cells).toEqual([{ labels: [], names: [], persons: null, records: null, suppressed: true }]);
    const cells = await result.locator('tbody td').evaluateAll((tds) => tds.map((td) => td.textContent));
    expect(cells).toEqual(['<10', '<10']);
    await expect(s.page.getByTestId('explore-notice').textContent()).resolves.toMatch(/Figures are perturbed/);
    await s.close();
  }, 120_000);
});
