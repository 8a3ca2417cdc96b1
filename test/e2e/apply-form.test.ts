/**
 * The application form speaks to people (issue 16 item 4), in a real Chromium against a real
 * control plane, in both languages, with screenshots: every problem at once beside its field, the
 * server's catalogue check mapped back to the variable it names with its suggestion a click away,
 * a draft that survives a reload, and an amendment that starts from the permit in force.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { launchBrowser, openSession, settle } from './browser.ts';
import { ensureUiBuilt } from './build-ui.ts';
import { labelProblems } from './language.ts';

// Run in the page by page.evaluate (the test's own types have no DOM).
declare const document: any;
declare const window: any;

const CLEAN = { foreign: { nb: [], en: [] }, unchanged: [] };

let platform: TestPlatform;
let browser: Browser;

beforeAll(async () => {
  await ensureUiBuilt();
  // The platform's clock starts at the real time: the browser drops session cookies that expire in its past.
  platform = await startTestPlatform({}, { now: new Date().toISOString() });
  await platform.modules.dataCopies.demoReady();
  browser = await launchBrowser('apply-form');
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

/** The errors shown beside fields: the input each belongs to, and its words. */
const fieldErrors = (page: Page) =>
  page.locator('[data-error-for]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-error-for'), e.textContent?.replace(/\s+/g, ' ').trim()]));

/** The input an error belongs to names it in `aria-describedby`, and says it is invalid. */
const describedBy = (page: Page, id: string) =>
  page.locator(`#${id}`).evaluate((e) => [e.getAttribute('aria-invalid'), (e.getAttribute('aria-describedby') ?? '').split(' ').includes(`${e.id}-error`)]);

async function fillProject(page: Page, title: string): Promise<void> {
  await page.locator('#title').fill(title);
  await page.locator('#purpose').fill('Do statins change the risk of hip fracture after the age of 65?');
  await page.locator('#controllers').fill('Norwegian Institute of Public Health');
  await page.locator('#projectFrom').fill('2026-01-01');
  await page.locator('#projectTo').fill('2029-12-31');
}

/** What sticks out sideways at the current width (nothing, on a page that does not scroll sideways). */
const sticksOut = (page: Page) =>
  page.evaluate(() =>
    document.documentElement.scrollWidth <= window.innerWidth
      ? []
      : [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-scroll'))
          .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${[...e.classList].join('.')}`)
          .slice(0, 10),
  );

describe('the application form', () => {
  it('shows every problem at once beside its field, keeps the draft over a reload, and maps the catalogue check back to the variable (English)', async () => {
    const s = await openSession(browser, platform.url, 'lead', { lang: 'en' });
    const p = s.page;
    await s.visit('/apply', 'apply-empty');
    await p.locator('[data-action="submit-application"]').click();
    await p.locator('.error-summary').waitFor();
    expect(await fieldErrors(p)).toEqual([
      ['title', 'Title: fill this in.'],
      ['purpose', 'Purpose: fill this in.'],
      ['controllers', 'Data controllers: fill this in.'],
      ['projectFrom', 'Project starts: fill this in.'],
      ['projectTo', 'Project ends: fill this in.'],
      ['dataFrom', 'Data from: fill this in.'],
      ['dataTo', 'Data to: fill this in.'],
      ['datasets', 'Choose at least one dataset.'],
    ]);
    expect(await describedBy(p, 'dataFrom')).toEqual(['true', true]);
    await s.shot('apply-all-problems');

    // The browser checks dates and lengths too, naming which period is wrong.
    await fillProject(p, 'St');
    await p.locator('#projectTo').fill('2025-12-31');
    await p.locator('#dataFrom').fill('2020-01-01');
    await p.locator('#dataTo').fill('2015-12-31');
    expect(await fieldErrors(p)).toEqual([
      ['title', 'Title: write at least 3 characters.'],
      ['projectTo', 'The project period ends before it starts.'],
      ['dataTo', 'The data period ends before it starts.'],
      ['datasets', 'Choose at least one dataset.'],
    ]);

    await fillProject(p, 'Statins and hip fracture');
    await p.locator('#dataFrom').fill('2015-01-01');
    await p.locator('#dataTo').fill('2024-12-31');
    await p.locator('[data-dataset="prescriptions"]').check();
    await p.locator('#vars-prescriptions').fill('atc_code, dispensed_date');
    expect(await p.locator('#var-prescriptions-atc_code').isChecked()).toBe(true);
    await p.locator('#birthYearFrom').fill('1930');

    // Reloaded half-way: everything typed is there again.
    await p.reload();
    await settle(p);
    expect(await p.locator('.draft-bar').textContent()).toContain('Your draft from');
    expect(
      await Promise.all(
        ['#title', '#purpose', '#projectTo', '#dataFrom', '#dataTo', '#vars-prescriptions', '#birthYearFrom'].map((id) => p.locator(id).inputValue()),
      ),
    ).toEqual([
      'Statins and hip fracture',
      'Do statins change the risk of hip fracture after the age of 65?',
      '2029-12-31',
      '2015-01-01',
      '2024-12-31',
      'atc_code, dispensed_date',
      '1930',
    ]);
    await s.shot('apply-draft-restored');

    await p.locator('[data-action="submit-application"]').click();
    await p.locator('[data-error-for="vars-prescriptions"]').waitFor();
    expect(await fieldErrors(p)).toEqual([
      ['vars-prescriptions', 'prescriptions has no variable dispensed_date. Did you mean dispense_date? Use dispense_date'],
    ]);
    expect(await describedBy(p, 'vars-prescriptions')).toEqual(['true', true]);
    expect(await p.locator('.error-summary').textContent()).toContain('prescriptions has no variable dispensed_date.');
    await s.shot('apply-server-problem');

    await p.locator('[data-error-for="vars-prescriptions"] [data-action="apply-fix"]').click();
    expect(await p.locator('#vars-prescriptions').inputValue()).toBe('atc_code, dispense_date');
    expect(await p.locator('#var-prescriptions-dispense_date').isChecked()).toBe(true);
    expect(await fieldErrors(p)).toEqual([]);
    await p.locator('[data-action="submit-application"]').click();
    await p.waitForURL('**/applications');
    await settle(p);
    const apps = (await platform.call('GET', '/api/applications', { as: 'lead' })).body as { body: { project?: { title: string }; datasets: unknown } }[];
    expect(apps.find((a) => a.body.project?.title === 'Statins and hip fracture')!.body.datasets).toEqual([
      { dataset: 'prescriptions', variables: ['atc_code', 'dispense_date'] },
    ]);
    // Sent: the draft is gone.
    await s.visit('/apply', 'apply-after-submit');
    expect(await p.locator('#title').inputValue()).toBe('');
    await s.close();
  });

  it('says the same in Norwegian, fixes the data period from the register, asks why for a direct identifier, and discards a draft', async () => {
    const s = await openSession(browser, platform.url, 'lead', { lang: 'nb' });
    const p = s.page;
    await s.visit('/apply', 'apply-nb-empty');
    await fillProject(p, 'Statiner og hoftebrudd');
    await p.locator('#dataFrom').fill('2005-01-01');
    await p.locator('#dataTo').fill('2020-12-31');
    await p.locator('[data-dataset="population"]').check();
    await p.locator('[data-dataset="prescriptions"]').check();
    await p.locator('#var-population-fnr').check();
    await p.locator('#var-population-sex').check();
    await p.locator('#vars-prescriptions').fill('dispensed_date');
    await p.locator('#linkage').check();
    await p.locator('[data-action="submit-application"]').click();
    await p.locator('.error-summary').waitFor();
    // The reason is asked for before anything is sent.
    expect(await fieldErrors(p)).toEqual([
      ['reason-population-fnr', 'fnr er en direkte identifikator: begrunn hvorfor prosjektet trenger den (minst 10 tegn).'],
    ]);
    await p.locator('#reason-population-fnr').fill('Kobler registrene per person; kopien har prosjektets pseudonym.');
    await p.locator('[data-action="submit-application"]').click();
    await p.locator('[data-error-for="vars-prescriptions"]').waitFor();
    expect(await fieldErrors(p)).toEqual([
      ['dataFrom', 'Dataperioden begynner før prescriptions har data: registeret har data fra 2010-01-01. La dataperioden begynne 2010-01-01'],
      ['vars-prescriptions', 'prescriptions har ingen variabel dispensed_date. Mente du dispense_date? Bruk dispense_date'],
    ]);
    // What the lead typed is data, not labels.
    const typed = await p.locator('input, textarea').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    expect(await labelProblems(p, [...s.data, typed], 'nb')).toEqual(CLEAN);
    await s.shot('apply-nb-server-problems');

    await p.setViewportSize({ width: 390, height: 844 });
    expect(await sticksOut(p)).toEqual([]);
    await s.shot('apply-nb-390');
    await p.setViewportSize({ width: 1366, height: 800 });

    await p.locator('[data-error-for="dataFrom"] [data-action="apply-fix"]').click();
    expect(await p.locator('#dataFrom').inputValue()).toBe('2010-01-01');
    await p.locator('[data-action="discard-draft"]').click();
    expect(await Promise.all(['#title', '#dataFrom'].map((id) => p.locator(id).inputValue()))).toEqual(['', '']);
    await p.reload();
    await settle(p);
    expect(await p.locator('#title').inputValue()).toBe('');
    await s.close();
  });

  it('starts an amendment from the permit in force', async () => {
    const s = await openSession(browser, platform.url, 'lead', { lang: 'en' });
    const projects = (await platform.call('GET', '/api/projects', { as: 'lead' })).body as { id: string; status: string }[];
    const demo = projects.find((x) => x.status === 'active')!.id;
    const permit = (await platform.call('GET', `/api/projects/${demo}`, { as: 'lead' })).body.permit;
    await s.visit(`/apply?amend=${demo}`, 'amendment-from-permit');
    const p = s.page;
    await p.locator('#var-population-fnr').waitFor();
    expect(await p.locator('input[name="kind"][value="amendment"]').isChecked()).toBe(true);
    expect(await Promise.all(['#dataFrom', '#dataTo', '#birthYearFrom', '#birthYearTo'].map((id) => p.locator(id).inputValue()))).toEqual([
      permit.period.from.slice(0, 10),
      permit.period.to.slice(0, 10),
      String(permit.cohort.birthYearFrom),
      String(permit.cohort.birthYearTo),
    ]);
    expect(await p.locator('#linkage').isChecked()).toBe(permit.linkageAllowed);
    for (const d of permit.datasets as { dataset: string; variables: string[]; reasons?: Record<string, string> }[]) {
      expect(await p.locator(`#vars-${d.dataset}`).inputValue()).toBe(d.variables.join(', '));
      for (const [v, why] of Object.entries(d.reasons ?? {})) expect(await p.locator(`#reason-${d.dataset}-${v}`).inputValue()).toBe(why);
    }
    expect(await p.locator('.apply-form').textContent()).toContain(`The amendment starts from the permit in force (version ${permit.version})`);
    await s.close();
  });
});
