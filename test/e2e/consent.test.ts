/**
 * The citizen page in Chromium, in both languages, with screenshots: the demo citizen sees a
 * consent project's request (its text, version and data period), gives consent and withdraws it,
 * each only after a confirm dialog that says what changes (cancelling changes nothing); the
 * opt-out says for which projects it counts and asks before switching; nothing scrolls sideways
 * at 390 px.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startCopies, waitForCopies, type CopiesTest } from '../data-copies/support.ts';
import { en } from '../../control-plane/web/src/i18n/en.ts';
import { nb } from '../../control-plane/web/src/i18n/nb.ts';
import { launchBrowser, openSession, settle } from './browser.ts';
import { ensureUiBuilt } from './build-ui.ts';
import { labelProblems } from './language.ts';

declare const document: any;

const CLEAN = { foreign: { nb: [], en: [] }, unchanged: [] };
const TITLE = 'Sleep and the heart';
const TEXT = 'I consent to my health register data being used in the sleep and heart study.';
let t: CopiesTest;
let browser: Browser;
let project = '';

const consentState = async () =>
  (await t.p.call('GET', '/api/citizen/consents', { as: 'citizen' })).body.find((r: { projectId: string }) => r.projectId === project) as {
    inForce: boolean;
    history: { action: string }[];
  };

const card = (page: Page) => page.locator(`[data-consent-project="${project}"]`);
/** The open confirm dialog (each panel has its own, closed until asked). */
const dialog = (page: Page) => page.locator('[data-testid="confirm-dialog"][open]');

beforeAll(async () => {
  await ensureUiBuilt();
  // The platform's clock starts at the real time: the browser drops session cookies that expire in its past.
  t = await startCopies({}, new Date().toISOString());
  browser = await launchBrowser('consent');
  const app = await t.p.call('POST', '/api/applications', {
    as: 'lead',
    body: {
      kind: 'new',
      project: {
        title: TITLE,
        purpose: 'Sleep medication and heart disease among consenting participants.',
        dataControllers: ['FHI'],
        legalBasis: 'consent',
        consent: { text: TEXT, version: '1.0' },
        period: { from: '2026-01-01', to: '2028-12-31' },
      },
      datasets: [{ dataset: 'population', variables: ['fnr', 'sex', 'birth_date'], reasons: { fnr: 'The person key, made the project pseudonym.' } }],
      period: { from: '2015-01-01', to: '2025-12-31' },
      cohort: { birthYearFrom: 1950, birthYearTo: 1980 },
    },
  });
  expect(app.status).toBe(201);
  project = app.body.projectId;
  expect(
    (await t.p.call('POST', `/api/applications/${app.body.id}/decision`, { as: 'admin1', body: { decision: 'approve', reason: 'in order' } })).status,
  ).toBe(200);
  const expiresAt = new Date(Date.now() + 365 * 86_400_000).toISOString();
  expect((await t.p.call('POST', '/api/permits', { as: 'admin1', body: { applicationId: app.body.id, expiresAt } })).status).toBe(201);
  await waitForCopies(t, project, 1);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await t?.p.stop();
});

describe('consent in the browser', () => {
  for (const lang of ['en', 'nb'] as const) {
    const L = lang === 'en' ? en : nb;
    it(`gives and withdraws consent, each after a confirm that says what changes (${lang})`, async () => {
      const s = await openSession(browser, t.p.url, 'citizen', { lang });
      await s.visit('/citizen', `citizen-${lang}`);
      const c = card(s.page);
      expect(await c.locator('h3').textContent()).toBe(TITLE);
      expect(await c.locator('blockquote').textContent()).toContain(TEXT);
      expect(await c.locator('[data-testid="consent-state"]').textContent()).toBe(L['consent.notGiven']);

      // Cancelling the dialog changes nothing.
      await c.locator('[data-action="give-consent"]').click();
      await dialog(s.page).locator('[data-action="cancel"]').click();
      await s.page.waitForFunction(() => !document.querySelector('dialog[open]'));
      expect((await consentState()).inForce).toBe(false);

      await c.locator('[data-action="give-consent"]').click();
      const d = dialog(s.page);
      await d.waitFor();
      expect(await d.locator('h2').textContent()).toBe(L['consent.confirmGiveTitle'].replace('{title}', TITLE));
      expect(await d.getAttribute('aria-describedby')).toBe(await d.locator('p').getAttribute('id'));
      // A modal dialog keeps the language switch out of reach: its words are checked against the dictionary.
      const [from, to] = ((await c.locator('[data-testid="consent-period"]').textContent()) ?? '').split(' – ');
      expect(await d.locator('p').textContent()).toBe(L['consent.confirmGive'].replace('{from}', from!).replace('{to}', to!));
      expect(await d.locator('[data-action="cancel"]').textContent()).toBe(L['consent.cancel']);
      await s.shot(`confirm-give-${lang}`);
      await d.locator('[data-action="confirm"]').click();
      await c.locator('[data-action="withdraw-consent"]').waitFor();
      expect((await consentState()).inForce).toBe(true);
      expect(await c.locator('[data-testid="consent-state"]').textContent()).toContain(L['consent.inForce'].split('{since}')[0]!.trim());
      await s.shot(`consent-given-${lang}`);

      await c.locator('[data-action="withdraw-consent"]').click();
      await d.waitFor();
      expect(await d.locator('p').textContent()).toBe(L['consent.confirmWithdraw']);
      await s.shot(`confirm-withdraw-${lang}`);
      await d.locator('[data-action="confirm"]').click();
      await c.locator('[data-action="give-consent"]').waitFor();
      const after = await consentState();
      expect(after.inForce).toBe(false);
      expect(after.history.slice(-2).map((h) => h.action)).toEqual(['give', 'withdraw']);
      await c.locator('details summary').click();
      await s.shot(`consent-history-${lang}`);
      expect(await labelProblems(s.page, s.data, lang)).toEqual(CLEAN);
      await s.close();
    });
  }

  it('shows the members of the project what participants consent to, in the permit', async () => {
    const s = await openSession(browser, t.p.url, 'lead', { lang: 'nb' });
    await s.visit(`/projects/${project}`, 'lead-project-permit');
    expect(await s.page.locator('[data-testid="permit-consent"]').textContent()).toBe(`${TEXT} (${nb['consent.version'].replace('{version}', '1.0')})`);
    await s.close();
  });

  it('says for which projects the opt-out counts and asks before switching it', async () => {
    const s = await openSession(browser, t.p.url, 'citizen', { lang: 'en' });
    await s.visit('/citizen', 'citizen-opt-out');
    const demoTitle = (await t.p.call('GET', '/api/public/projects')).body.find((p: { legalBasis: string }) => p.legalBasis === 'hforsk-35').title;
    expect(await s.page.locator('[data-testid="opt-out-applies"]').textContent()).toBe(demoTitle);
    expect(await s.page.locator('[data-testid="opt-out-consent"]').textContent()).toBe(TITLE);
    await s.page.locator('[data-action="toggle-opt-out"]').click();
    const d = dialog(s.page);
    await d.waitFor();
    expect(await d.locator('p').textContent()).toBe(en['consent.confirmOptOut'].replace('{projects}', demoTitle));
    await s.shot('confirm-opt-out');
    await d.locator('[data-action="cancel"]').click();
    expect((await t.p.call('GET', '/api/citizen/opt-out', { as: 'citizen' })).body.optedOut).toBe(false);
    await s.page.locator('[data-action="toggle-opt-out"]').click();
    await d.locator('[data-action="confirm"]').click();
    await s.page.getByText(en['citizen.isOptedOut']).waitFor();
    expect((await t.p.call('GET', '/api/citizen/opt-out', { as: 'citizen' })).body.optedOut).toBe(true);
    await s.shot('opted-out');
    expect(await labelProblems(s.page, s.data)).toEqual(CLEAN);

    await s.page.setViewportSize({ width: 390, height: 844 });
    await settle(s.page);
    expect(await s.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await card(s.page).locator('[data-action="give-consent"]').click();
    await dialog(s.page).waitFor();
    expect(await s.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await s.shot('narrow-confirm');
    await dialog(s.page).locator('[data-action="cancel"]').click();
    await s.close();
  });
});
