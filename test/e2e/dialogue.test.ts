/**
 * Dialogue with researchers in a real Chromium, as each person does it, in both languages with
 * screenshots: the lead publishes the project's summary; the citizen whose data it used reads it
 * and asks a question; an access administrator forwards it; the lead answers; another delivers
 * the answer; the citizen reads it; the public register shows the summary. Steps run in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { launchBrowser, openSession, settle } from './browser.ts';
import { ensureUiBuilt } from './build-ui.ts';
import { labelProblems } from './language.ts';

let platform: TestPlatform;
let browser: Browser;
let projectId: string;
const CLEAN = { foreign: { nb: [], en: [] }, unchanged: [] };
const summary = 'We study whether the choice of diabetes medicine changes the risk of heart attack and stroke.';
const question = 'Will you publish what you find, so that people like me can read it?';
const answer = 'Yes: the results will be in the public register, in plain language, when the study ends.';

/** Nothing on the page is wider than a 390 px phone screen. */
async function fitsPhone(page: Page): Promise<boolean> {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.waitForTimeout(100);
  const fits = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth <= 390);
  await page.setViewportSize({ width: 1366, height: 800 });
  return fits;
}

beforeAll(async () => {
  await ensureUiBuilt();
  platform = await startTestPlatform({}, { now: new Date().toISOString() });
  projectId = (await platform.call('GET', '/api/projects', { as: 'lead' })).body[0].id;
  browser = await launchBrowser('dialogue');
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe('dialogue with researchers', () => {
  it('the lead publishes the summary on the project page (English)', async () => {
    const s = await openSession(browser, platform.url, 'lead', { lang: 'en' });
    await s.visit(`/projects/${projectId}`, 'project');
    const form = s.page.locator('[data-testid="publish-summary"]');
    await form.getByLabel('Summary').fill(summary);
    await s.shot('summary-filled');
    await form.locator('[data-action="publish-summary"]').click();
    await s.page.locator('[data-testid="project-dialogue"] details summary', { hasText: 'All versions' }).first().waitFor();
    // biome-ignore lint/performance/useDomNodeTextContent: the text as shown
    const text = await s.page.locator('[data-testid="project-dialogue"]').innerText();
    expect(text).toContain(summary);
    expect(text).toContain('Results can be published after the first released export, or when the project has ended.');
    await s.shot('summary-published');
    expect(await labelProblems(s.page, s.data)).toEqual(CLEAN);
    await s.close();
  });

  it('the citizen reads the summary of a project that used their data and asks it a question (Norwegian)', async () => {
    for (let i = 0; i < 120; i++) {
      const usage = (await platform.call('GET', '/api/citizen/usage', { as: 'citizen' })).body as { projectId: string }[];
      if (usage.some((u) => u.projectId === projectId)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const s = await openSession(browser, platform.url, 'citizen', { lang: 'nb' });
    await s.visit('/citizen', 'citizen');
    expect(await s.page.locator('[data-testid="citizen-texts"]').textContent()).toContain(summary);
    const form = s.page.locator('[data-testid="ask-question"]');
    await form.getByLabel('Prosjekt').selectOption(projectId);
    await form.getByLabel('Ditt spørsmål').fill(question);
    await form.locator('[data-action="ask"]').click();
    await s.page.locator('[data-testid="my-questions"]').waitFor();
    expect(await s.page.locator('[data-testid="my-questions"]').textContent()).toContain('Venter på en tilgangsforvalter');
    await s.shot('question-asked');
    expect(await fitsPhone(s.page)).toBe(true);
    expect(await labelProblems(s.page, s.data, 'nb')).toEqual(CLEAN);
    await s.close();
  });

  it('an access administrator reads the question, without who asked, and forwards it (English)', async () => {
    const s = await openSession(browser, platform.url, 'admin1', { lang: 'en' });
    await s.visit('/admin/questions', 'queue');
    const queue = s.page.locator('[data-testid="to-screen"]');
    expect(await queue.textContent()).toContain(question);
    expect(await queue.textContent()).not.toContain('Kari Nordmann');
    // Rejecting needs a reason: the form says so beside the field, before anything is sent.
    await queue.locator('[data-action="reject"]').click();
    await s.page.getByRole('alert').filter({ hasText: 'Say why, in a few words' }).waitFor();
    await s.shot('reason-needed');
    expect(await labelProblems(s.page, s.data)).toEqual(CLEAN);
    await queue.locator('[data-action="forward"]').click();
    await s.page.locator('[data-testid="handled"]').getByText('With the project').waitFor();
    await s.shot('forwarded');
    expect(await fitsPhone(s.page)).toBe(true);
    await s.close();
  });

  it('the lead reads the question by its id and answers it (Norwegian)', async () => {
    const s = await openSession(browser, platform.url, 'lead', { lang: 'nb' });
    await s.visit(`/projects/${projectId}`, 'project-question');
    const list = s.page.locator('[data-testid="lead-questions"]');
    expect(await list.textContent()).toContain(question);
    await list.getByLabel('Ditt svar').fill(answer);
    await list.locator('[data-action="answer"]').click();
    await list.getByText('Besvart; svaret kontrolleres').waitFor();
    await settle(s.page);
    await s.shot('answered');
    expect(await labelProblems(s.page, s.data, 'nb')).toEqual(CLEAN);
    await s.close();
  });

  it('another administrator delivers the answer, and the citizen reads it (Norwegian, then English)', async () => {
    const a = await openSession(browser, platform.url, 'admin2', { lang: 'nb' });
    await a.visit('/admin/questions', 'queue-answer');
    const queue = a.page.locator('[data-testid="to-screen"]');
    expect(await queue.textContent()).toContain(answer);
    await queue.locator('[data-action="deliver"]').click();
    await a.page.getByText('Ingenting venter.').first().waitFor();
    await a.shot('delivered');
    expect(await labelProblems(a.page, a.data, 'nb')).toEqual(CLEAN);
    await a.close();

    const s = await openSession(browser, platform.url, 'citizen', { lang: 'en' });
    await s.visit('/citizen', 'citizen-answer');
    expect(await s.page.locator('[data-testid="answer"]').textContent()).toBe(answer);
    await s.shot('answer-read');
    expect(await labelProblems(s.page, s.data)).toEqual(CLEAN);
    await s.close();
  });

  it('the public register shows the summary to anyone', async () => {
    const s = await openSession(browser, platform.url, 'public', { login: false, lang: 'en' });
    await s.visit('/register', 'register');
    await s.page.locator('[data-testid="publication-texts"]').first().waitFor();
    expect(await s.page.locator('[data-testid="public-register"]').textContent()).toContain(summary);
    expect(await fitsPhone(s.page)).toBe(true);
    expect(await labelProblems(s.page, s.data)).toEqual(CLEAN);
    await s.shot('register-checked');
    await s.close();
  });

  it('once the project has ended, the lead publishes its results with a DOI, and the register links to it (English)', async () => {
    expect((await platform.call('POST', `/api/projects/${projectId}/close`, { as: 'admin1', body: { reason: 'study finished' } })).status).toBe(200);
    const results = 'Neither medicine changed the risk of heart attack or stroke more than the other.';
    const s = await openSession(browser, platform.url, 'lead', { lang: 'en' });
    await s.visit(`/projects/${projectId}`, 'project-closed');
    const form = s.page.locator('[data-testid="publish-results"]');
    await form.getByLabel('Results in plain language').fill(results);
    await form.getByLabel('Link or DOI of the publication (optional)').fill('10.1000/diabetes.2026');
    await form.locator('[data-action="publish-results"]').click();
    await s.page.locator('[data-testid="project-dialogue"]').getByText(results).first().waitFor();
    await s.shot('results-published');
    expect(await labelProblems(s.page, s.data)).toEqual(CLEAN);
    await s.close();

    const pub = await openSession(browser, platform.url, 'public', { login: false, lang: 'nb' });
    await pub.visit('/register', 'register-results');
    const link = pub.page.locator('[data-testid="publication-texts"] a', { hasText: '10.1000/diabetes.2026' });
    expect(await link.getAttribute('href')).toBe('https://doi.org/10.1000/diabetes.2026');
    expect(await pub.page.locator('[data-testid="public-register"]').textContent()).toContain(results);
    expect(await labelProblems(pub.page, pub.data, 'nb')).toEqual(CLEAN);
    await pub.close();
  });
});
