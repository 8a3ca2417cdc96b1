/**
 * Every role does its job in the browser (issue 16 items 3, 4, 6 and 7), walked in a real
 * Chromium against a real control plane, in Norwegian and in English, with a screenshot of each
 * step under `test/artifacts/e2e/roles-walk/`:
 *   - an operator creates a user, resets their password (the one-time password shown once),
 *     disables and enables them, and reads the room history; the user then logs in with the
 *     one-time password and must choose their own;
 *   - an auditor searches the log by words, opens an entry's details, exports exactly what the
 *     filters select, and picks a project by its title;
 *   - a reviewer reads the reason rule as the server applies it; a researcher's checked table
 *     names its row and column variables;
 *   - at 390 px wide no page of any role scrolls sideways.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { platformPaths } from '../../control-plane/src/platform/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { launchBrowser, openSession, settle, type Session } from './browser.ts';
import { ensureUiBuilt } from './build-ui.ts';
import { switchLanguage } from './language.ts';

/** Browser globals used inside `page.evaluate` callbacks (this repo type-checks tests without the DOM library). */
declare const document: any;
declare function getComputedStyle(el: unknown): { overflowX: string };

let platform: TestPlatform;
let browser: Browser;
let projectId: string;
let projectTitle: string;

const LANGS = ['nb', 'en'] as const;

/** The pages of every demo user: home and each nav entry (as `NAV_BY_USER` in ui-roles.test.ts). */
const PAGES: Record<string, string[]> = {
  researcher: ['/', '/projects', '/explore'],
  lead: ['/', '/projects', '/explore', '/apply', '/applications'],
  admin1: ['/', '/admin/applications', '/admin/permits', '/admin/copies', '/admin/reviews'],
  auditor: ['/', '/audit'],
  citizen: ['/', '/citizen'],
  operator: ['/', '/operator/rooms', '/operator/users'],
};

/** What sticks out past the right edge of a `width` px viewport, for a failure message that says where to look. */
async function overflowing(page: Page, width: number): Promise<string[]> {
  return page.evaluate((w) => {
    const out: string[] = [];
    const name = (el: any) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}`;
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right <= w + 0.5 || r.width === 0) continue;
      // What a scroll box of its own holds does not move the page.
      let clipped = false;
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(a).overflowX)) clipped = true;
      }
      if (clipped) continue;
      // Only the outermost offender: an element whose parent sticks out too is counted with it.
      const p = el.parentElement?.getBoundingClientRect();
      if (p && p.right > w + 0.5 && el.parentElement !== document.body) continue;
      out.push(`${name(el.parentElement)} > ${name(el)} right=${Math.round(r.right)}`);
    }
    return out.slice(0, 10);
  }, width);
}

beforeAll(async () => {
  await ensureUiBuilt();
  platform = await startTestPlatform({}, { now: new Date().toISOString() });
  browser = await launchBrowser('roles-walk');
  const projects = (await platform.call('GET', '/api/projects', { as: 'lead' })).body as { id: string; title: string }[];
  projectId = projects[0]!.id;
  projectTitle = projects[0]!.title;
  // Something to search for: a refused login names its user in the entry's object.
  await platform.call('POST', '/api/auth/token', { body: { username: 'zebra-finch', password: 'wrong' } });
  // A room that ran and stopped at its idle limit, for the history (rooms are started by tests/rooms; here it is its record).
  const t0 = new Date(Date.now() - 3 * 3_600_000);
  await platform.deps.store.query(
    `INSERT INTO rooms (id, project_id, owner_id, driver, program, wanted, state, stop_reason, jupyter_token_sealed, created_at, started_at, running_at, stopped_at, updated_at)
     VALUES ('r000000000a1f', $1, 'researcher', 'local', 'stub', 'stopped', 'stopped', 'idle', 'sealed', $2, $2, $3, $4, $4)`,
    [projectId, t0, new Date(t0.getTime() + 60_000), new Date(t0.getTime() + 3_600_000)],
  );
  // An export in review, so a reviewer sees the review form and its reason rule.
  const outputs = platformPaths(platform.dataDir).outputs(projectId, 'researcher');
  mkdirSync(outputs, { recursive: true });
  writeFileSync(join(outputs, 'counts.csv'), 'group,count\nA,120\nB,340\n');
  const rows = ['sex,region', ...Array.from({ length: 200 }, (_, i) => `${i % 2 ? 'F' : 'M'},${['north', 'south'][i % 3 === 0 ? 0 : 1]}`)];
  writeFileSync(join(outputs, 'records.csv'), `${rows.join('\n')}\n`);
  const exp = await platform.call('POST', `/api/projects/${projectId}/exports`, {
    as: 'researcher',
    body: { purpose: 'paper', files: [{ path: 'counts.csv', description: 'counts per group' }] },
  });
  expect(exp.status).toBe(201);
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe('operators', () => {
  for (const lang of LANGS) {
    it(`[${lang}] create a user, reset their password (shown once), disable and enable them; the user must choose their own password`, async () => {
      const id = `walker-${lang}`;
      const s = await openSession(browser, platform.url, 'operator', { lang });
      await switchLanguage(s.page, lang);
      await s.visit('/operator/users', `${lang}-users`);
      const form = s.page.locator('form[data-form="create-user"]');
      await form.locator('#nu-id').fill(id);
      await form.locator('#nu-name').fill(`Walker ${lang}`);
      await form.locator('#nu-password').fill('a-first-password-given');
      await form.locator('[data-action="create-user"]').click();
      const row = s.page.locator(`tr[data-user="${id}"]`);
      await row.waitFor();
      expect(await row.locator('td').nth(3).textContent()).toBe(lang === 'nb' ? 'aktiv · må velge nytt passord' : 'active · must choose a new password');
      await s.shot(`${lang}-user-created`);

      // Reset: confirm the dialog, read the one-time password once.
      s.page.once('dialog', (d) => void d.accept());
      await row.locator('[data-action="reset-password"]').click();
      const shown = s.page.locator('[data-testid="one-time-password"]');
      await shown.waitFor();
      const otp = (await shown.locator('code').textContent())!;
      expect(otp).toMatch(/^[A-Za-z0-9_-]{20}$/);
      expect(await shown.locator('strong').textContent()).toBe(lang === 'nb' ? `Nytt engangspassord for ${id}` : `New one-time password for ${id}`);
      await s.shot(`${lang}-password-reset`);

      // Disable, then enable again.
      await row.locator('[data-action="disable-user"]').click();
      await row.locator('[data-action="enable-user"]').waitFor();
      expect(await row.locator('td').nth(3).textContent()).toContain(lang === 'nb' ? 'deaktivert' : 'disabled');
      await s.shot(`${lang}-user-disabled`);
      await row.locator('[data-action="enable-user"]').click();
      await row.locator('[data-action="disable-user"]').waitFor();

      // The operator's own row offers neither.
      const own = s.page.locator('tr[data-user="operator"]');
      expect(await own.locator('button').count()).toBe(0);
      expect(await own.locator('td').nth(4).textContent()).toBe(
        lang === 'nb' ? 'En annen drifter endrer din egen konto.' : 'Another operator changes your own account.',
      );
      await s.close();

      // The user logs in with the one-time password and is asked for their own.
      const u = await openSession(browser, platform.url, id, { lang, login: false });
      await u.page.goto('/');
      await switchLanguage(u.page, lang);
      await u.page.locator('#username').fill(id);
      await u.page.locator('#password').fill(otp);
      await u.page.locator('form button[type="submit"]').click();
      await u.page.locator('#newPassword').waitFor();
      expect(await u.page.locator('#login-error').textContent()).toBe(
        lang === 'nb'
          ? 'Passordet ditt ble satt av en drifter. Velg ditt eget for å logge inn.'
          : 'Your password was set by an operator. Choose your own to log in.',
      );
      await u.shot(`${lang}-must-change`);
      await u.page.locator('#newPassword').fill(`${id}-own-password`);
      await u.page.locator('#newPassword2').fill(`${id}-own-password`);
      await u.page.locator('form button[type="submit"]').click();
      await u.page.locator('nav.sidenav').waitFor();
      await u.shot(`${lang}-logged-in-with-own-password`);
      await u.close();
      expect((await platform.call('POST', '/api/auth/token', { body: { username: id, password: `${id}-own-password` } })).status).toBe(201);
    });

    it(`[${lang}] read the room history: when each room ran and why it stopped, under its project's title`, async () => {
      const s = await openSession(browser, platform.url, 'operator', { lang });
      await switchLanguage(s.page, lang);
      await s.visit('/operator/rooms', `${lang}-room-history`);
      const row = s.page.locator('tr[data-room="r000000000a1f"]');
      await row.waitFor();
      const cells = await row.locator('td').allTextContents();
      expect(cells[1]).toBe(`${projectTitle} (${projectId})`);
      expect(cells[3]).toBe(lang === 'nb' ? 'stoppet' : 'stopped');
      expect(cells[7]).toBe(lang === 'nb' ? 'ubrukt for lenge' : 'idle too long');
      await Promise.all([s.page.waitForResponse((r) => r.url().includes(`project=${projectId}`)), row.locator('td').nth(1).locator('button').click()]);
      await settle(s.page);
      expect(await s.page.locator('section[aria-labelledby="h-room-history"] tr[data-room]').count()).toBe(1);
      await s.close();
    });
  }
});

describe('auditors', () => {
  for (const lang of LANGS) {
    it(`[${lang}] search by words, open an entry, export exactly what the filters show, pick a project by title`, async () => {
      const s = await openSession(browser, platform.url, 'auditor', { lang });
      await switchLanguage(s.page, lang);
      await s.visit('/audit', `${lang}-audit`);
      await s.page.locator('#f-q').fill('zebra-finch');
      // Refused attempts only: each search is itself logged, with its words in its details.
      await s.page.locator('#f-outcome').selectOption('denied');
      await Promise.all([s.page.waitForResponse((r) => r.url().includes('q=zebra-finch')), s.page.locator('[data-action="audit-search"]').click()]);
      await settle(s.page);
      const rows = s.page.locator('section[aria-labelledby="h-search"] tr[data-seq]');
      expect(await rows.count()).toBe(1);
      expect(await rows.first().locator('td').nth(5).textContent()).toBe('user:zebra-finch');
      await rows.first().locator('[data-action="entry-details"]').click();
      const details = s.page.locator('section[aria-labelledby="h-search"] [data-entry-details]');
      await details.waitFor();
      expect(await details.locator('dt').allTextContents()).toEqual(
        lang === 'nb'
          ? ['Forespørsel', 'Klientadresse', 'Hash for oppføringen før', 'Hash for denne oppføringen']
          : ['Request', 'Client address', 'Hash of the entry before', 'Hash of this entry'],
      );
      expect(await details.locator('pre').textContent()).toContain('no_such_user');
      await s.shot(`${lang}-audit-entry-details`);

      // The export link carries the search: the file holds the same entries.
      const href = (await s.page.locator('[data-action="audit-csv"]').getAttribute('href'))!;
      expect(href).toContain('q=zebra-finch');
      expect(href).toContain('outcome=denied');
      const csv: string = await s.page.evaluate(async (h) => (await fetch(h, { credentials: 'same-origin' })).text(), href);
      const seqs = csv
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0]);
      expect(seqs).toEqual([await rows.first().locator('td').first().textContent()]);

      // A project by its title.
      await s.page.locator('#lookup-project').selectOption({ label: `${projectTitle} (${projectId})` });
      await Promise.all([
        s.page.waitForResponse((r) => r.url().includes(`/api/audit/projects/${projectId}`)),
        s.page.locator('[data-action="audit-project"]').click(),
      ]);
      await settle(s.page);
      expect(await s.page.locator(`[data-history="${projectId}"] strong`).first().textContent()).toBe(projectTitle);
      await s.shot(`${lang}-audit-project-history`);
      await s.close();
    });
  }
});

describe('reviewers and researchers', () => {
  for (const lang of LANGS) {
    it(`[${lang}] the reviewer reads the reason rule as the server applies it`, async () => {
      const s = await openSession(browser, platform.url, 'admin1', { lang });
      await switchLanguage(s.page, lang);
      await s.visit('/admin/reviews', `${lang}-reviews`);
      const hint = s.page.locator('[id^="rr-h-"]').first();
      await hint.waitFor();
      expect(await hint.textContent()).toBe(
        lang === 'nb'
          ? 'En begrunnelse trengs for å avvise, for å sende tilbake for endring og for å godkjenne tross en feilet kontroll. Står feltet tomt, er filenes kommentarer begrunnelsen.'
          : "A reason is needed to reject, to return for changes, and to approve over a failed check. Left empty, the files' comments are the reason.",
      );
      await s.close();
    });

    it(`[${lang}] a checked table names its row and column variables`, async () => {
      const s = await openSession(browser, platform.url, 'researcher', { lang });
      await switchLanguage(s.page, lang);
      await s.visit(`/projects/${projectId}/room`, `${lang}-room-tab`);
      await s.page.locator('#ct-file').fill('records.csv');
      await s.page.locator('#ct-index').fill('sex');
      await s.page.locator('#ct-columns').fill('region');
      await s.page.locator('[data-action="check-table"]').click();
      const vars = s.page.locator('[data-table-vars]');
      await vars.waitFor();
      expect(await vars.textContent()).toBe(lang === 'nb' ? 'Rader: sex · Kolonner: region' : 'Rows: sex · Columns: region');
      expect(await s.page.locator('.check-status').first().textContent()).toMatch(
        lang === 'nb' ? /^Resultat: (består|må vurderes|består ikke)$/ : /^Result: (passes|needs review|fails)$/,
      );
      await s.shot(`${lang}-checked-table`);
      await s.close();
    });
  }
});

describe('small screens', () => {
  for (const lang of LANGS) {
    it(`[${lang}] at 390 px no page of any role scrolls sideways`, async () => {
      const problems: string[] = [];
      for (const [user, paths] of Object.entries(PAGES)) {
        const s: Session = await openSession(browser, platform.url, user, { lang });
        await s.page.setViewportSize({ width: 390, height: 844 });
        await switchLanguage(s.page, lang);
        for (const path of [
          ...paths,
          ...(user === 'researcher' || user === 'lead' ? [`/projects/${projectId}`, `/projects/${projectId}/room`, `/projects/${projectId}/exports`] : []),
        ]) {
          await s.visit(path, `${lang}-390${path}`);
          const width = await s.page.evaluate(() => document.documentElement.scrollWidth);
          if (width > 390) problems.push(`${user} ${path}: ${width} px (${(await overflowing(s.page, 390)).join(', ')})`);
        }
        // The nav wraps: every entry is on screen, none past the right edge.
        const right = await s.page.evaluate(() =>
          Math.max(...[...document.querySelectorAll('nav.sidenav a, .banner > *')].map((a: any) => a.getBoundingClientRect().right)),
        );
        if (right > 390) problems.push(`${user}: header or nav reaches ${right} px`);
        await s.close();
      }
      expect(problems).toEqual([]);
    }, 240_000);
  }
});
