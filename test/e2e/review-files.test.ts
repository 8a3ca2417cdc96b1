/**
 * Reviewers see what they approve (issue 16 item 1), in a real Chromium against a real control
 * plane: the request under its project's title, each staged file shown inline (a table with its
 * summary, a notebook as read-only cells that load nothing remote and run nothing, an image), a
 * row-level file called what it is, and a decision with a comment per file from which the
 * request's decision follows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { platformPaths } from '../../control-plane/src/platform/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { launchBrowser, openSession, settle } from './browser.ts';
import { ensureUiBuilt } from './build-ui.ts';
import { labelProblems } from './language.ts';

/** Browser globals used inside `page.evaluate` callbacks (this repo type-checks tests without the DOM library). */
declare const document: any;

const CLEAN = { foreign: { nb: [], en: [] }, unchanged: [] };
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let platform: TestPlatform;
let browser: Browser;
let exportId = '';
let title = '';
let projectId = '';
let outputs = '';

function notebook(): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: 'markdown', source: ['# Results\n', '<img src="http://evil.example/beacon.png">'] },
      {
        cell_type: 'code',
        source: 'table.head()',
        outputs: [
          { output_type: 'stream', name: 'stdout', text: 'rows: 120\n' },
          { output_type: 'display_data', data: { 'text/html': '<script>window.__pwned = 1</script><b id="injected">x</b>' } },
          { output_type: 'display_data', data: { 'image/png': PNG.toString('base64'), 'text/plain': '<Figure>' } },
        ],
      },
    ],
  });
}

beforeAll(async () => {
  await ensureUiBuilt();
  platform = await startTestPlatform({}, { now: new Date().toISOString() });
  browser = await launchBrowser('review-files');
  const project = (await platform.call('GET', '/api/projects', { as: 'researcher' })).body[0];
  title = project.title;
  projectId = project.id;
  const dir = platformPaths(platform.dataDir).outputs(project.id, 'researcher');
  outputs = dir;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'table1.csv'), 'region_code,sex,n\n1,1,40\n2,2,35\n3,1,120\n');
  writeFileSync(
    join(dir, 'records.csv'),
    `person_id,age,visits\n${Array.from({ length: 120 }, (_, i) => `${700000 + i},${30 + (i % 40)},${i % 6}`).join('\n')}\n`,
  );
  writeFileSync(join(dir, 'analysis.ipynb'), notebook());
  writeFileSync(join(dir, 'figure.png'), PNG);
  const res = await platform.call('POST', `/api/projects/${project.id}/exports`, {
    as: 'researcher',
    body: {
      purpose: 'Table 1 and figure 1 of the paper',
      files: [
        { path: 'table1.csv', description: 'Persons by region and sex' },
        { path: 'records.csv', description: 'The analysis data set' },
        { path: 'analysis.ipynb', description: 'The notebook that made table 1' },
        { path: 'figure.png', description: 'Figure 1' },
      ],
    },
  });
  expect(res.status).toBe(201);
  exportId = res.body.id;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe('the reviewer reads each staged file', () => {
  it('shows the project by title, a row-level file as such, each file inline without running or loading anything', async () => {
    const s = await openSession(browser, platform.url, 'admin1', { lang: 'en' });
    const remote: string[] = [];
    s.page.on('request', (r) => {
      if (!r.url().startsWith(platform.url) && !r.url().startsWith('data:')) remote.push(r.url());
    });
    await s.visit('/admin/reviews', 'queue');
    const item = s.page.locator(`li:has([data-export="${exportId}"])`);
    expect(await item.locator('h2').textContent()).toContain(title);
    expect(await item.locator('[data-file="records.csv"] .findings').textContent()).toBe('Row-level data: 120 rows');
    expect(await item.locator('[data-finding="row-level"]').getAttribute('title')).toBe("row-level data: 120 rows (column 'person_id' identifies records)");
    expect(await item.locator('[data-file="records.csv"] .findings li').count()).toBe(1);
    expect(await item.locator('[data-file="table1.csv"] .findings li').count()).toBe(0);

    for (const f of ['table1.csv', 'analysis.ipynb', 'figure.png']) await item.locator(`[data-file="${f}"] [data-action="show-file"]`).click();
    await settle(s.page);
    const table = item.locator('[data-file="table1.csv"]');
    expect(await table.locator('[data-staged-table] tbody tr').count()).toBe(3);
    expect(await table.locator('[data-summary] tr[data-column="n"] td').allTextContents()).toEqual(['35', '35', '195', 'yes', '0']);
    const nb = item.locator('[data-file="analysis.ipynb"] [data-notebook]');
    expect(await nb.locator('pre').first().textContent()).toBe('# Results\n<img src="http://evil.example/beacon.png">');
    expect(await nb.locator('[data-omitted="text/html"]').count()).toBe(1);
    expect(await nb.locator('img.nb-image').count()).toBe(1);
    expect(await s.page.evaluate(() => [document.getElementById('injected'), (globalThis as { __pwned?: number }).__pwned ?? null])).toEqual([null, null]);
    const img = item.locator('[data-file="figure.png"] img.staged-image');
    await img.waitFor();
    expect(await img.evaluate((el: { complete: boolean; naturalWidth: number }) => el.complete && el.naturalWidth)).toBe(1);
    expect(remote).toEqual([]);
    await s.shot('files-shown');
    expect(await labelProblems(s.page, s.data)).toEqual(CLEAN);
    await s.close();
  });

  it('decides per file: one file rejected with its comment rejects the request, every decision shown once both have decided', async () => {
    for (const who of ['admin1', 'admin2']) {
      const s = await openSession(browser, platform.url, who, { lang: 'en' });
      await s.visit('/admin/reviews', 'before-deciding');
      const item = s.page.locator(`li:has([data-export="${exportId}"])`);
      const records = item.locator('[data-file="records.csv"]');
      await records.locator('input[data-file-decision="reject"]').check();
      await records.locator('textarea').fill('Row-level data: the records do not leave.');
      await s.shot('deciding');
      const [answer] = await Promise.all([
        s.page.waitForResponse((r) => r.url().endsWith(`/api/exports/${exportId}/reviews`) && r.request().method() === 'POST'),
        item.locator('[data-action="submit-review"]').click(),
      ]);
      expect(answer.status()).toBe(201);
      await settle(s.page);
      if (who === 'admin2') {
        await s.page.selectOption('#queue-status', 'rejected');
        await s.page.locator(`[data-export="${exportId}"][data-status="rejected"]`).waitFor();
        await settle(s.page);
        const decided = s.page.locator(`[data-export="${exportId}"] [data-file-decision]`);
        expect((await decided.evaluateAll((els) => els.map((e) => e.getAttribute('data-file-decision')))).slice(0, 4)).toEqual([
          'f1:approve',
          'f2:reject',
          'f3:approve',
          'f4:approve',
        ]);
        expect(await s.page.locator(`[data-export="${exportId}"] [data-review="reject"]`).count()).toBe(2);
        await s.shot('decided');
      }
      await s.close();
    }
  });

  it('a routine re-run arrives pre-filled with the earlier approval, its comments and the changed cells', async () => {
    const requestOf = async (content: string) => {
      writeFileSync(join(outputs, 'monthly.csv'), content);
      const res = await platform.call('POST', `/api/projects/${projectId}/exports`, {
        as: 'researcher',
        body: { purpose: 'Monthly counts', files: [{ path: 'monthly.csv', description: 'Persons by month' }] },
      });
      return res.body.id as string;
    };
    const first = await requestOf('month,n\n2026-01,120\n2026-02,135\n');
    for (const who of ['admin1', 'admin2']) {
      const body = { files: [{ file: 'f1', decision: 'approve', comment: 'Counts of 100 and more.' }] };
      expect((await platform.call('POST', `/api/exports/${first}/reviews`, { as: who, body })).status).toBe(201);
    }
    const rerun = await requestOf('month,n\n2026-01,120\n2026-02,140\n');
    const s = await openSession(browser, platform.url, 'admin1', { lang: 'en' });
    await s.visit('/admin/reviews', 'rerun');
    const item = s.page.locator(`li:has([data-export="${rerun}"])`);
    const earlier = item.locator(`[data-earlier="${first}"]`);
    await earlier.waitFor();
    expect(await earlier.locator('li').allTextContents()).toEqual(['admin1: approved — Counts of 100 and more.', 'admin2: approved — Counts of 100 and more.']);
    expect(await earlier.locator('[data-diff="cells"] tbody td').allTextContents()).toEqual(['2', 'n', '135', '140']);
    expect(await item.locator('input[data-file-decision="approve"]').isChecked()).toBe(true);
    expect(await item.locator('[data-decide="f1"] textarea').inputValue()).toBe(`As approved in ${first}: Counts of 100 and more.`);
    expect(await item.locator('[data-provenance]').textContent()).toMatch(/^permit pmt_[0-9a-f]+, version 1 · data copy version 1$/);
    await s.shot('rerun-prefilled');
    expect(await labelProblems(s.page, s.data)).toEqual(CLEAN);
    await s.close();
  });
});
