/**
 * The browser UI against a real control plane in a real Chromium: navigation by role, pages
 * and API refused to a researcher, every label switching language, and keyboard-only use.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { launchBrowser, openSession, settle } from './browser.ts';
import { ensureUiBuilt } from './build-ui.ts';
import { roomsUnavailable } from '../proxy/support.ts';
import { foreignLabels, pageTexts, stringLeaves, switchLanguage, untranslated } from './language.ts';

/** Browser globals used inside `page.evaluate` callbacks (this repo type-checks tests without the DOM library). */
declare const document: any;

let platform: TestPlatform;
let browser: Browser;
let openapi: { paths: Record<string, Record<string, { 'x-roles'?: unknown }>> };
let otherProjectId: string;
let submittedApplication: string;

const NAV_BY_USER: Record<string, string[]> = {
  researcher: ['projects', 'explore'],
  lead: ['projects', 'explore', 'apply', 'my-applications'],
  admin1: ['admin-applications', 'admin-permits', 'admin-copies', 'admin-reviews', 'admin-questions', 'case-stats'],
  admin2: ['admin-applications', 'admin-permits', 'admin-copies', 'admin-reviews', 'admin-questions', 'case-stats'],
  auditor: ['audit', 'case-stats'],
  citizen: ['citizen'],
  operator: ['operator-rooms', 'operator-users'],
};

const PATH_OF: Record<string, string> = {
  projects: '/projects',
  explore: '/explore',
  apply: '/apply',
  'my-applications': '/applications',
  'admin-applications': '/admin/applications',
  'admin-permits': '/admin/permits',
  'admin-copies': '/admin/copies',
  'admin-reviews': '/admin/reviews',
  'admin-questions': '/admin/questions',
  audit: '/audit',
  'case-stats': '/admin/case-stats',
  citizen: '/citizen',
  'operator-rooms': '/operator/rooms',
  'operator-users': '/operator/users',
};

const hasApi = (method: string, path: string) => Boolean(openapi.paths[path]?.[method]);

async function navIds(page: Page): Promise<string[]> {
  return page.locator('nav.sidenav a[data-nav]').evaluateAll((els) => els.map((e) => e.getAttribute('data-nav') ?? ''));
}

/** Presses Tab until the focused element matches `selector`; fails after `max` presses. */
async function tabUntil(page: Page, selector: string, max = 200): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`keyboard focus never reached ${selector}`);
}

beforeAll(async () => {
  await ensureUiBuilt();
  // The platform's clock starts at the real time: the browser drops session cookies that expire in its past.
  platform = await startTestPlatform({}, { now: new Date().toISOString() });
  browser = await launchBrowser('ui-roles');
  openapi = (await platform.call('GET', '/api/openapi.json')).body;
  // A second project the demo researcher is not a member of, and an application awaiting decision.
  const app = await platform.call('POST', '/api/applications', {
    as: 'lead',
    body: {
      kind: 'new',
      caseType: 'one_off',
      project: {
        title: 'Another study',
        purpose: 'A project the researcher is not part of.',
        dataControllers: ['NIPH'],
        legalBasis: 'ehds-art-68',
        period: { from: '2026-01-01', to: '2027-12-31' },
      },
      datasets: [{ dataset: 'population', variables: ['sex'] }],
      period: { from: '2015-01-01', to: '2020-12-31' },
    },
  });
  expect(app.status).toBe(201);
  otherProjectId = app.body.projectId;
  submittedApplication = app.body.id;
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe('navigation by role', () => {
  for (const [user, expected] of Object.entries(NAV_BY_USER)) {
    it(`${user} sees exactly the pages their roles allow`, async () => {
      const s = await openSession(browser, platform.url, user);
      await s.shot('home');
      expect(await navIds(s.page)).toEqual(expected);
      for (const id of expected) {
        await s.visit(PATH_OF[id]!, id);
        expect(await s.page.locator('[data-state="not-allowed"]').count()).toBe(0);
        expect(await s.page.locator('main h1').textContent()).toBeTruthy();
      }
      await s.close();
    });
  }
});

describe('a researcher is refused', () => {
  it('administrator, auditor and operator pages show "not allowed"', async () => {
    const s = await openSession(browser, platform.url, 'researcher', { lang: 'en' });
    for (const path of [
      '/admin/applications',
      '/admin/permits',
      '/admin/copies',
      '/admin/reviews',
      '/admin/case-stats',
      '/audit',
      '/operator/rooms',
      '/operator/users',
      '/apply',
    ]) {
      await s.visit(path, `refused${path}`);
      expect(await s.page.locator('[data-state="not-allowed"]').first().isVisible()).toBe(true);
      expect(await s.page.locator('main h1').textContent()).toBe('Not allowed');
    }
    await s.close();
  });

  it('403 from every role-restricted API the researcher lacks the role for', async () => {
    const s = await openSession(browser, platform.url, 'researcher');
    const restricted = Object.entries(openapi.paths)
      .filter(([path, ops]) => !path.includes('{') && Array.isArray(ops.get?.['x-roles']) && !(ops.get!['x-roles'] as string[]).includes('researcher'))
      .map(([path]) => path);
    expect(restricted).toContain('/api/users');
    for (const path of restricted) {
      const status = await s.page.evaluate(async (p) => (await fetch(p, { credentials: 'same-origin' })).status, path);
      expect([path, status]).toEqual([path, 403]);
    }
    await s.close();
  });

  it('another project\'s page and room show "not allowed" and its API answers 403', async () => {
    const s = await openSession(browser, platform.url, 'researcher');
    for (const path of [`/projects/${otherProjectId}`, `/projects/${otherProjectId}/room`]) {
      await s.visit(path, 'other-project');
      expect(await s.page.locator('[data-state="not-allowed"]').first().isVisible()).toBe(true);
    }
    const status = await s.page.evaluate(async (p) => (await fetch(`/api/projects/${p}`)).status, otherProjectId);
    expect(status).toBe(403);
    await s.close();
  });
});

describe('rooms of other projects', () => {
  it.skipIf(roomsUnavailable())("a researcher opening another project's room through the proxy gets 403", async () => {
    const app = await platform.call('POST', '/api/applications', {
      as: 'lead',
      body: {
        kind: 'new',
        caseType: 'one_off',
        project: {
          title: 'A third study',
          purpose: 'Only the lead is a member of this project.',
          dataControllers: ['NIPH'],
          legalBasis: 'ehds-art-68',
          period: { from: '2026-01-01', to: '2027-12-31' },
        },
        datasets: [{ dataset: 'population', variables: ['sex'] }],
        period: { from: '2015-01-01', to: '2020-12-31' },
      },
    });
    expect(
      (await platform.call('POST', `/api/applications/${app.body.id}/decision`, { as: 'admin1', body: { decision: 'approve', reason: 'In order.' } })).status,
    ).toBe(200);
    const expiresAt = new Date(Date.now() + 365 * 86_400_000).toISOString();
    expect((await platform.call('POST', '/api/permits', { as: 'admin1', body: { applicationId: app.body.id, expiresAt } })).status).toBe(201);
    const room = await platform.call('POST', `/api/projects/${app.body.projectId}/rooms`, { as: 'lead', body: {} });
    expect(room.status).toBe(201);
    const s = await openSession(browser, platform.url, 'researcher');
    const res = await s.page.goto(`/rooms/${room.body.id}/lab`);
    expect(res?.status()).toBe(403);
    await s.shot('other-room-refused');
    await s.close();
    await platform.call('POST', `/api/rooms/${room.body.id}/stop`, { as: 'lead' });
  });
});

describe('pages whose API is not installed say so', () => {
  it('the data copies page shows "not available" exactly when the copies API is missing', async () => {
    const s = await openSession(browser, platform.url, 'admin1');
    await s.visit('/admin/copies', 'copies');
    const shown = await s.page.locator('[data-state="not-available"]').count();
    expect(shown > 0).toBe(!hasApi('get', '/api/projects/{projectId}/copies'));
    await s.close();
  });
});

describe('language', () => {
  for (const user of Object.keys(NAV_BY_USER)) {
    it(`switching language changes every visible label (${user})`, async () => {
      const s = await openSession(browser, platform.url, user, { lang: 'nb' });
      const data: unknown[] = [];
      s.page.on('response', async (r) => {
        if (r.url().includes('/api/') && (r.headers()['content-type'] ?? '').includes('json')) data.push(await r.json().catch(() => null));
      });
      for (const path of ['/', ...NAV_BY_USER[user]!.map((id) => PATH_OF[id]!)]) {
        await s.page.goto(path);
        await settle(s.page);
        await switchLanguage(s.page, 'nb');
        await settle(s.page);
        const nbTexts = await pageTexts(s.page);
        await s.shot(`nb${path.replace(/\//g, '-')}`);
        expect({ path, lang: 'nb', foreign: foreignLabels('nb', nbTexts, stringLeaves(data)) }).toEqual({ path, lang: 'nb', foreign: [] });
        await switchLanguage(s.page, 'en');
        await settle(s.page);
        const enTexts = await pageTexts(s.page);
        await s.shot(`en${path.replace(/\//g, '-')}`);
        expect({ path, lang: 'en', foreign: foreignLabels('en', enTexts, stringLeaves(data)) }).toEqual({ path, lang: 'en', foreign: [] });
        const known = stringLeaves(data);
        expect({ path, unchanged: untranslated(nbTexts, enTexts, known) }).toEqual({ path, unchanged: [] });
        expect(await s.page.evaluate(() => document.documentElement.lang)).toBe('en');
      }
      await switchLanguage(s.page, 'nb');
      await s.close();
    });
  }
});

describe('keyboard alone', () => {
  it('logs in, switches language and reaches the application form and its submit button', async () => {
    const s = await openSession(browser, platform.url, 'lead', { login: false, lang: 'en' });
    await s.page.goto('/');
    await settle(s.page);
    await s.page.keyboard.press('Tab');
    expect(await s.page.evaluate(() => document.activeElement?.className)).toBe('skip-link');
    await tabUntil(s.page, '#username');
    await s.page.keyboard.type('lead');
    await s.page.keyboard.press('Tab');
    await s.page.keyboard.type('demo');
    await s.page.keyboard.press('Enter');
    await s.page.locator('nav.sidenav').waitFor();
    await settle(s.page);
    await s.shot('keyboard-logged-in');
    await tabUntil(s.page, '[data-testid="lang-switch"]');
    const before = await s.page.evaluate(() => document.documentElement.lang);
    await s.page.keyboard.press('Enter');
    expect(await s.page.evaluate(() => document.documentElement.lang)).not.toBe(before);
    await tabUntil(s.page, 'a[data-nav="apply"]');
    await s.page.keyboard.press('Enter');
    await s.page.waitForURL('**/apply');
    await settle(s.page);
    expect(await s.page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await tabUntil(s.page, '#title');
    await tabUntil(s.page, '[data-action="submit-application"]');
    await s.shot('keyboard-apply');
    await s.close();
  });

  it('an access administrator reaches approve and reject of an application', async () => {
    const s = await openSession(browser, platform.url, 'admin1');
    await s.page.keyboard.press('Tab');
    await s.page.keyboard.press('Enter'); // skip link
    await tabUntil(s.page, 'a[data-nav="admin-applications"]');
    await s.page.keyboard.press('Enter');
    await s.page.waitForURL('**/admin/applications');
    await settle(s.page);
    await tabUntil(s.page, `[data-application="${submittedApplication}"] textarea`);
    await tabUntil(s.page, `[data-application="${submittedApplication}"] [data-action="approve"]`);
    await s.page.keyboard.press('Tab');
    expect(await s.page.evaluate(() => document.activeElement?.getAttribute('data-action'))).toBe('reject');
    await s.shot('keyboard-decide');
    await s.close();
  });

  it('an auditor reaches verification, search and CSV export; a citizen switches the opt-out', async () => {
    const a = await openSession(browser, platform.url, 'auditor');
    await tabUntil(a.page, 'a[data-nav="audit"]');
    await a.page.keyboard.press('Enter');
    await a.page.waitForURL('**/audit');
    await settle(a.page);
    await tabUntil(a.page, '[data-action="verify-log"]');
    await a.page.keyboard.press('Enter');
    await a.page.locator('[data-verified="yes"]').waitFor();
    await tabUntil(a.page, '#f-actor');
    await a.page.keyboard.type('lead');
    await tabUntil(a.page, '[data-action="audit-search"]');
    await a.page.keyboard.press('Enter');
    await settle(a.page);
    await tabUntil(a.page, '[data-action="audit-csv"]');
    await a.shot('keyboard-audit');
    await a.close();

    const c = await openSession(browser, platform.url, 'citizen', { lang: 'en' });
    await tabUntil(c.page, 'a[data-nav="citizen"]');
    await c.page.keyboard.press('Enter');
    await c.page.waitForURL('**/citizen');
    await settle(c.page);
    await tabUntil(c.page, '[data-action="toggle-opt-out"]');
    await c.page.keyboard.press('Enter');
    // The page asks first; the modal dialog takes the focus on its confirm button.
    await c.page.locator('[data-testid="confirm-dialog"][open]').waitFor();
    await c.page.keyboard.press('Enter');
    await c.page.getByText('You have opted out.').waitFor();
    await c.page.locator('[data-testid="announcer"]', { hasText: 'Your opt-out was registered.' }).waitFor();
    await c.shot('keyboard-citizen');
    await c.close();
  });

  it('a researcher reaches the project, its room tab and the table check', async () => {
    const s = await openSession(browser, platform.url, 'researcher');
    await tabUntil(s.page, 'a[data-nav="projects"]');
    await s.page.keyboard.press('Enter');
    await s.page.waitForURL('**/projects');
    await settle(s.page);
    await tabUntil(s.page, 'main a[href^="/projects/prj_"]');
    await s.page.keyboard.press('Enter');
    await s.page.waitForURL(/\/projects\/prj_[^/]+$/);
    await settle(s.page);
    await tabUntil(s.page, 'nav.tabs a[href$="/room"]');
    await s.page.keyboard.press('Enter');
    await s.page.waitForURL(/\/room$/);
    await settle(s.page);
    await tabUntil(s.page, '[data-action="check-table"]');
    await s.shot('keyboard-room');
    await s.close();
  });
});
