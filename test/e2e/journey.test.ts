/**
 * The journey of issue 7 in a real Chromium against a real control plane, as far as the APIs
 * exist: lead applies → administrator approves and issues → researcher sees the permit →
 * (copy, room, notebook: waiting for their APIs) → export request with failing cells → fix and
 * resubmit → two independent approvals → download → auditor finds every step, log verified →
 * (citizen: waiting). Steps share one platform and run in order.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { platformPaths } from '../../control-plane/src/platform/index.ts';
import { roomsUnavailable } from '../proxy/support.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { ARTIFACTS, launchBrowser, openSession, settle } from './browser.ts';
import { ensureUiBuilt } from './build-ui.ts';
import { runFirstCell } from './jupyter.ts';
import { labelProblems } from './language.ts';

const CLEAN = { foreign: { nb: [], en: [] }, unchanged: [] };

const TITLE = 'Statins and hip fractures in older adults';
/** Rooms run JupyterLab on the local driver once the room file system is built (`npm test` builds it). */
const NO_ROOMS = roomsUnavailable();

let platform: TestPlatform;
let browser: Browser;
let projectId = '';
let applicationId = '';
let firstExport = '';
let secondExport = '';

beforeAll(async () => {
  await ensureUiBuilt();
  // The platform's clock starts at the real time: the browser drops session cookies that expire in its past.
  platform = await startTestPlatform({}, { now: new Date().toISOString() });
  // The demo registers must be in the catalogue's store before a copy can be made.
  await platform.modules.dataCopies.demoReady();
  browser = await launchBrowser('journey');
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

/** Stands in for the notebook cell until rooms run in the test platform: the files a cell would write to the researcher's /outputs. */
function writeOutputs(files: Record<string, string>): void {
  const dir = platformPaths(platform.dataDir).outputs(projectId, 'researcher');
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

function records(): string {
  const rows = ['country,region,sex'];
  const add = (region: string, sex: string, n: number) => {
    for (let i = 0; i < n; i++) rows.push(`NO,${region},${sex}`);
  };
  add('A', 'F', 40);
  add('A', 'M', 35);
  add('B', 'F', 5);
  add('B', 'M', 5);
  return `${rows.join('\n')}\n`;
}

describe('the journey of issue 7', () => {
  it('the lead applies for a data permit in the browser', async () => {
    const s = await openSession(browser, platform.url, 'lead', { lang: 'en' });
    await s.visit('/apply', 'apply-empty');
    const p = s.page;
    await p.locator('#title').fill(TITLE);
    await p.locator('#purpose').fill('Do statins change the risk of hip fracture after the age of 65? A registry cohort study.');
    await p.locator('#controllers').fill('Norwegian Institute of Public Health');
    await p.locator('#legalBasis').selectOption('hforsk-35');
    await p.locator('#ethicsRef').fill('REK 2026/777');
    await p.locator('#projectFrom').fill('2026-01-01');
    await p.locator('#projectTo').fill('2029-12-31');
    await p.locator('#dataFrom').fill('2015-01-01');
    await p.locator('#dataTo').fill('2024-12-31');
    if (await p.locator('#manual-datasets').count()) {
      await p.locator('#manual-datasets').fill('population: person_id, sex, birth_year\nprescriptions: person_id, dispensed_date, atc');
    } else {
      await p.locator('[data-dataset="population"]').check();
      await p.locator('[data-dataset="prescriptions"]').check();
      for (const id of [
        'var-population-fnr',
        'var-population-sex',
        'var-population-birth_date',
        'var-prescriptions-fnr',
        'var-prescriptions-dispense_date',
        'var-prescriptions-atc_code',
      ]) {
        await p.locator(`#${id}`).check();
      }
      // A direct identifier asked for needs its reason (application-checks.ts).
      for (const ds of ['population', 'prescriptions'])
        await p.locator(`#reason-${ds}-fnr`).fill('Links the registers per person; the copy holds a pseudonym.');
      // The code list of a coded variable is shown from the catalogue.
      await p.locator('li.var-pick:has(#var-prescriptions-atc_code) summary').click();
      await p.locator('li.var-pick:has(#var-prescriptions-atc_code) table').waitFor();
    }
    await p.locator('#birthYearFrom').fill('1930');
    await p.locator('#birthYearTo').fill('1990');
    await p.getByRole('button', { name: 'Add a member' }).click();
    await p.locator('#member-0').fill('researcher');
    await s.shot('apply-filled');
    // What the lead typed is data, not labels.
    const typed = await p.locator('input, textarea').evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    expect(await labelProblems(s.page, [...s.data, typed])).toEqual(CLEAN);
    await p.locator('[data-action="submit-application"]').click();
    await p.waitForURL('**/applications');
    await settle(p);
    await s.shot('applications-after-submit');
    const apps = (await platform.call('GET', '/api/applications', { as: 'lead' })).body as {
      id: string;
      projectId: string;
      body: { project?: { title: string } };
      status: string;
    }[];
    const mine = apps.find((a) => a.body.project?.title === TITLE)!;
    expect(mine.status).toBe('submitted');
    applicationId = mine.id;
    projectId = mine.projectId;
    expect(await p.locator(`[data-application="${applicationId}"]`).textContent()).toContain('in pre-screening');
    await s.close();
  });

  it('an access administrator approves with a reason and issues the permit', async () => {
    const s = await openSession(browser, platform.url, 'admin1', { lang: 'en' });
    await s.visit('/admin/applications', 'applications-queue');
    const card = s.page.locator(`[data-application="${applicationId}"]`);
    await card.locator('textarea[name="reason"]').fill('Purpose, legal basis and REK approval in order.');
    await card.locator('[data-action="approve"]').click();
    await card.locator('[data-action="issue-permit"]').waitFor();
    await card.locator('input[type="date"]').fill('2028-12-31');
    await card.locator('input[name="reason"]').fill('Issued as applied for.');
    await card.locator('[data-action="issue-permit"]').click();
    await card.getByText(/Permit pmt_\S+ version 1 issued/).waitFor();
    await s.shot('permit-issued');
    const project = (await platform.call('GET', `/api/projects/${projectId}`, { as: 'admin1' })).body;
    expect({ status: project.status, version: project.permit.version, expires: project.permit.expiresAt.slice(0, 10) }).toEqual({
      status: 'active',
      version: 1,
      expires: '2028-12-31',
    });
    expect(project.members.map((m: { userId: string }) => m.userId).sort()).toEqual(['lead', 'researcher']);
    await s.close();
  });

  it('the researcher sees the permit: what data, until when', async () => {
    const s = await openSession(browser, platform.url, 'researcher', { lang: 'en' });
    await s.visit('/projects', 'projects');
    await s.page.getByRole('link', { name: TITLE }).click();
    await s.page.waitForURL(`**/projects/${projectId}`);
    await settle(s.page);
    await s.shot('project-permit');
    const text = (await s.page.locator('main').textContent()) ?? '';
    expect(text).toContain('31 Dec 2028');
    expect(text).toContain('prescriptions');
    expect(text).toContain('Health Research Act § 35');
    await s.close();
  });

  it('the copy is extracted; the administrator and the researcher see its manifest', async () => {
    const a = await openSession(browser, platform.url, 'admin1', { lang: 'en' });
    await a.visit('/admin/copies', 'copies-before');
    const mine = a.page.locator(`[data-copies="${projectId}"]`);
    if (!(await mine.locator('[data-copy="1"]').count())) await mine.locator('[data-action="make-copy"]').click();
    await mine.locator('[data-copy="1"]').waitFor({ timeout: 60_000 });
    await settle(a.page);
    await a.shot('copies-made');
    expect(await labelProblems(a.page, a.data)).toEqual(CLEAN);
    expect(await mine.locator('[data-copy="1"] caption').first().textContent()).toBe('Manifest');
    await a.close();

    const r = await openSession(browser, platform.url, 'researcher', { lang: 'en' });
    await r.visit(`/projects/${projectId}`, 'project-with-copy');
    const text = (await r.page.locator('main').textContent()) ?? '';
    expect(text).toContain('Drug (ATC code)');
    expect(text).toContain('dispense_date');
    expect(await r.page.locator('[data-copy="1"]').count()).toBe(1);
    expect(await labelProblems(r.page, r.data)).toEqual(CLEAN);
    await r.close();
  });

  it.skipIf(NO_ROOMS)(
    `the researcher starts the room with live progress and opens JupyterLab in a new tab${NO_ROOMS ? ` (skipped: ${NO_ROOMS})` : ''}`,
    async () => {
      const s = await openSession(browser, platform.url, 'researcher', { lang: 'en' });
      await s.visit(`/projects/${projectId}/room`, 'room-none');
      // How to run the same check from the room (its notebook), beside the form.
      expect(await s.page.locator('[data-testid="check-in-room"] code').first().textContent()).toContain('!analyserom-airlock check-table');
      const events: number[] = [];
      s.page.on('response', (r) => {
        if (/\/api\/rooms\/[^/]+\/events$/.test(new URL(r.url()).pathname)) events.push(r.status());
      });
      await s.page.locator('[data-action="start-room"]').click();
      await s.page.locator('[data-testid="room-state"][data-state="running"]').waitFor({ timeout: 90_000 });
      expect(events).toEqual([200]);
      await s.page.locator('[data-testid="announcer"]', { hasText: 'The room is running.' }).waitFor();
      await s.shot('room-running');
      expect(await labelProblems(s.page, s.data)).toEqual(CLEAN);
      const roomId = ((await s.page.locator('[data-action="open-lab"]').getAttribute('href')) ?? '').split('/')[2];
      const [lab] = await Promise.all([s.context.waitForEvent('page'), s.page.locator('[data-action="open-lab"]').click()]);
      await lab.waitForLoadState('load');
      await lab.locator('.jp-LabShell').waitFor({ timeout: 60_000 });
      await lab.waitForTimeout(1500);
      await lab.screenshot({ path: join(ARTIFACTS, 'journey', 'jupyterlab.png') });
      // The room is served at its own origin (entered through the platform's hand-off), not the platform's.
      const at = new URL(lab.url());
      expect({ origin: at.origin, url: at.pathname, title: await lab.title() }).toEqual({
        origin: `http://${roomId}.rooms.localhost:${platform.port}`,
        url: `/rooms/${roomId}/lab/tree/welcome.ipynb`,
        title: expect.stringContaining('JupyterLab'),
      });
      await lab.close();
      await s.close();
    },
  );

  it.skipIf(NO_ROOMS)('a notebook cell in JupyterLab reads /data and writes a table to /outputs', { timeout: 300_000 }, async () => {
    const s = await openSession(browser, platform.url, 'researcher', { lang: 'en' });
    const room = ((await platform.call('GET', '/api/rooms', { as: 'researcher' })).body as { id: string; projectId: string; state: string }[]).find(
      (r) => r.projectId === projectId && r.state === 'running',
    )!;
    const lab = await s.context.newPage();
    await lab.goto(`/rooms/${room.id}/lab`);
    await lab.locator('.jp-LabShell').waitFor({ timeout: 60_000 });
    const run = await runFirstCell(
      lab,
      [
        'import glob, pandas as pd',
        "d = pd.read_csv(sorted(glob.glob('/data/population*.csv'))[0])",
        "d.groupby('sex').size().to_csv('/outputs/by_sex.csv')",
        "print('rows', len(d))",
      ].join('\n'),
      {
        roomPath: `/rooms/${room.id}/`,
        roomLog: join(platform.dataDir, 'rooms-driver', 'rooms', `${room.id}.log`),
        screenshot: join(ARTIFACTS, 'journey', 'notebook-no-output.png'),
      },
    );
    await lab.screenshot({ path: join(ARTIFACTS, 'journey', 'notebook.png') });
    expect(run.output).toMatch(/^rows \d+/);
    const written = readFileSync(join(platformPaths(platform.dataDir).outputs(projectId, 'researcher'), 'by_sex.csv'), 'utf8');
    expect(written.split('\n')[0]).toBe('sex,0');
    await lab.close();
    await s.close();
  });

  it.skipIf(NO_ROOMS)('the operator sees the running room with project, state, driver, age and idle time', async () => {
    const s = await openSession(browser, platform.url, 'operator', { lang: 'en' });
    await s.visit('/operator/rooms', 'operator-rooms');
    // The running rooms; the room history below lists this room too.
    const row = s.page.locator('section[aria-labelledby="h-live-rooms"] tr', { hasText: projectId });
    expect(await row.count()).toBe(1);
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(1, 5)).toEqual([projectId, 'researcher', 'running', 'local']);
    expect(cells[5]).toMatch(/^\d+ min$/);
    expect(await row.locator('button').textContent()).toContain('Stop the room');
    expect(await labelProblems(s.page, s.data)).toEqual(CLEAN);
    await s.close();
  });

  it('the researcher requests an export and the automated checks mark the failing cells by rule', async () => {
    writeOutputs({ 'records.csv': records(), 'table.csv': 'region,F,M\nA,40,35\nB,5,5\n' });
    const s = await openSession(browser, platform.url, 'researcher', { lang: 'en' });
    await s.visit(`/projects/${projectId}/exports`, 'exports-empty');
    const p = s.page;
    await p.locator('#ex-0-path').fill('table.csv');
    await p.locator('#ex-0-desc').fill('Persons by region and sex');
    await p.getByText('The file is a table: check it cell by cell').click();
    await p.locator('input[name="ex-0-is-table"]').check();
    await p.locator('#ex-0-t-file').fill('records.csv');
    await p.locator('#ex-0-t-index').fill('region');
    await p.locator('#ex-0-t-columns').fill('sex');
    await p.locator('#ex-purpose').fill('Table 1 of the paper');
    await p.locator('[data-action="request-export"]').click();
    const item = p.locator('[data-export]').first();
    await item.waitFor();
    await settle(p);
    firstExport = (await item.getAttribute('data-export'))!;
    // Outside the room the researcher sees the verdict and the findings per rule, not the failing
    // table's labels and values (they are data until reviewed; the reviewer sees the cells).
    expect(await item.locator('[data-file="table.csv"] [data-withheld="table_only_in_room"]').count()).toBe(1);
    expect(await item.locator('[data-file="table.csv"] td').count()).toBe(0);
    expect(await item.locator('[data-file="table.csv"] [data-check-status]').getAttribute('data-check-status')).toBe('fail');
    expect(await item.locator('.legend-block').textContent()).toContain('Too few records (threshold): 2');
    await s.shot('export-failing-cells');
    expect(await labelProblems(s.page, s.data)).toEqual(CLEAN);
    await s.close();
  });

  it('the researcher fixes the table and resubmits; the new version passes', async () => {
    // Counts are multiples of 5: the default policy rounds counts to base 5, and the file must hold the checked numbers.
    writeOutputs({ 'table.csv': 'country,F,M\nNO,45,40\n' });
    const s = await openSession(browser, platform.url, 'researcher', { lang: 'en' });
    await s.visit(`/projects/${projectId}/exports`, 'exports-before-fix');
    const p = s.page;
    const item = p.locator(`li:has([data-export="${firstExport}"])`);
    await item.locator('[data-action="withdraw-export"]').click();
    await item.getByText('Fix and resubmit').click();
    const pre = `re-${firstExport}-0-`;
    await p.getByText('The file is a table: check it cell by cell').last().click();
    await p.locator(`input[name="${pre}is-table"]`).check();
    await p.locator(`#${pre}t-file`).fill('records.csv');
    await p.locator(`#${pre}t-index`).fill('country');
    await p.locator(`#${pre}t-columns`).fill('sex');
    await p.locator(`#${pre}desc`).fill('Persons by sex (regions merged)');
    await s.shot('resubmit-filled');
    await p.locator('[data-action="resubmit-export"]').click();
    await p.locator(`[data-export]:not([data-export="${firstExport}"])`).first().waitFor();
    await settle(p);
    const second = p.locator(`[data-export]:not([data-export="${firstExport}"])`).first();
    secondExport = (await second.getAttribute('data-export'))!;
    expect(await second.getAttribute('data-status')).toBe('in_review');
    expect(await second.locator('[data-check-status]').first().getAttribute('data-check-status')).toBe('pass');
    expect(await second.locator('td[data-rules]').count()).toBe(0);
    await s.shot('resubmitted');
    expect(await labelProblems(s.page, s.data)).toEqual(CLEAN);
    await s.close();
  });

  it('two administrators approve independently; the second sees that the first decided, not what', async () => {
    const a1 = await openSession(browser, platform.url, 'admin1', { lang: 'en' });
    await a1.visit('/admin/reviews', 'review-queue-admin1');
    const mine1 = a1.page.locator(`li:has([data-export="${secondExport}"])`);
    await mine1.locator('textarea[name="reason"]').fill('Counts of 40 and more, no identifiers.');
    await mine1.locator('[data-action="submit-review"]').click();
    await mine1.getByText('You have decided on this request').waitFor();
    await a1.shot('review-admin1-decided');
    await a1.close();

    const a2 = await openSession(browser, platform.url, 'admin2', { lang: 'en' });
    await a2.visit('/admin/reviews', 'review-queue-admin2');
    const item = a2.page.locator(`li:has([data-export="${secondExport}"])`);
    const sealed = item.locator('[data-review="sealed"]');
    expect(await sealed.count()).toBe(1);
    expect(await sealed.textContent()).toBe('admin1: has decided (shown when all have decided)');
    expect(await item.locator('[data-review="approve"]').count()).toBe(0);
    expect(await labelProblems(a2.page, a2.data)).toEqual(CLEAN);
    const [decided] = await Promise.all([
      a2.page.waitForResponse((r) => r.url().endsWith(`/api/exports/${secondExport}/reviews`) && r.request().method() === 'POST'),
      item.locator('[data-action="submit-review"]').click(),
    ]);
    expect(((await decided.json()) as { status: string }).status).toBe('approved');
    await a2.page.selectOption('#queue-status', 'approved');
    await a2.page.locator(`[data-export="${secondExport}"][data-status="approved"]`).waitFor();
    await settle(a2.page);
    expect(await a2.page.locator(`[data-export="${secondExport}"] [data-review="approve"]`).count()).toBe(2);
    await a2.shot('review-approved');
    await a2.close();
  });

  it('the researcher downloads exactly the approved, staged bytes', async () => {
    writeOutputs({ 'table.csv': 'country,F,M\nNO,1,2\n' }); // changed after the request: the staged bytes are what leaves
    const s = await openSession(browser, platform.url, 'researcher', { lang: 'en' });
    await s.visit(`/projects/${projectId}/exports`, 'exports-approved');
    const item = s.page.locator(`[data-export="${secondExport}"]`);
    expect(await item.getAttribute('data-status')).toBe('approved');
    const [download] = await Promise.all([s.page.waitForEvent('download'), item.locator('[data-action="download"]').click()]);
    expect(readFileSync((await download.path())!, 'utf8')).toBe('country,F,M\nNO,45,40\n');
    await s.close();
  });

  it('the auditor finds every step in the project history and sees the log verified', async () => {
    const s = await openSession(browser, platform.url, 'auditor', { lang: 'en' });
    await s.visit('/audit', 'audit');
    await s.page.locator('[data-action="publish-checkpoint"]').click();
    await s.page.locator('[data-verified="yes"]').waitFor();
    expect(await s.page.locator('[data-verified]').textContent()).toContain('The log is intact');
    // The timeline: one chart by action, one by project, each with a legend and its numbers as a table.
    const charts = s.page.locator('figure.chart');
    expect(await charts.count()).toBe(2);
    for (const i of [0, 1]) {
      expect(await charts.nth(i).locator('svg[role="img"] polyline').count()).toBeGreaterThan(0);
      expect(await charts.nth(i).locator('ul.legend li').count()).toBe(await charts.nth(i).locator('svg[role="img"] polyline').count());
      expect(await charts.nth(i).locator('details tbody tr').count()).toBeGreaterThan(0);
    }
    // Projects are named by title in the chart and picked by title.
    expect(await charts.nth(1).locator('ul.legend').textContent()).toContain(TITLE);
    await s.page.locator('#lookup-project').selectOption(projectId);
    await s.page.locator('[data-action="audit-project"]').click();
    const history = s.page.locator(`[data-history="${projectId}"]`);
    await history.waitFor();
    await settle(s.page);
    await s.shot('audit-project-history');
    expect(await labelProblems(s.page, s.data)).toEqual(CLEAN);
    const text = (await history.textContent()) ?? '';
    for (const action of ['application.submit', 'application.decide', 'permit.issue', 'export.request', 'export.review', 'export.download'])
      expect(text).toContain(action);
    await s.page.locator('#lookup-person').fill('researcher');
    await s.page.locator('[data-action="audit-person"]').click();
    await s.page.locator('#h-person').locator('..').locator('table').waitFor();
    await s.shot('audit-person-trail');
    await s.close();
  });

  it.skipIf(NO_ROOMS)('the researcher stops the room', async () => {
    const s = await openSession(browser, platform.url, 'researcher', { lang: 'en' });
    await s.visit(`/projects/${projectId}/room`, 'room-before-stop');
    await s.page.locator('[data-action="stop-room"]').click();
    await s.page.locator('[data-testid="room-state"][data-state="stopped"]').waitFor({ timeout: 30_000 });
    await s.shot('room-stopped');
    await s.close();
  });

  it('the demo citizen sees the projects that received their data and can opt out', async () => {
    let usage: { projectId: string; title: string }[] = [];
    for (let i = 0; i < 120 && !usage.some((u) => u.projectId === projectId); i++) {
      usage = (await platform.call('GET', '/api/citizen/usage', { as: 'citizen' })).body;
      if (!usage.some((u) => u.projectId === projectId)) await new Promise((r) => setTimeout(r, 500));
    }
    expect(usage.map((u) => u.projectId)).toContain(projectId);
    const s = await openSession(browser, platform.url, 'citizen', { lang: 'en' });
    await s.visit('/citizen', 'citizen');
    const text = (await s.page.locator('main').textContent()) ?? '';
    for (const u of usage) expect(text).toContain(u.title);
    expect(await s.page.locator('[data-testid="opt-out-state"]').textContent()).toContain('You have not opted out.');
    await s.page.locator('[data-action="toggle-opt-out"]').click();
    // The page asks first, naming the projects the opt-out counts for.
    await s.page.locator('[data-testid="confirm-dialog"][open] [data-action="confirm"]').click();
    await s.page.getByText('You have opted out.').waitFor();
    expect(await s.page.locator('[data-action="toggle-opt-out"]').getAttribute('aria-checked')).toBe('true');
    await s.shot('citizen-opted-out');
    expect(await labelProblems(s.page, s.data)).toEqual(CLEAN);
    await s.close();
  });

  it('the lead asks for an amendment (data for a new period); the administrator issues permit version 2', async () => {
    const l = await openSession(browser, platform.url, 'lead', { lang: 'en' });
    await l.visit(`/projects/${projectId}`, 'lead-project');
    await l.page.getByRole('link', { name: 'Ask for an amendment' }).click();
    await l.page.waitForURL(/\/apply\?amend=/);
    await settle(l.page);
    expect(await l.page.locator('input[name="kind"][value="amendment"]').isChecked()).toBe(true);
    expect(await l.page.locator('#projectId').inputValue()).toBe(projectId);
    await l.page.locator('#caseType').selectOption('new_period');
    await l.page.locator('#justification').fill('Follow-up through 2025.');
    await l.page.locator('#dataFrom').fill('2015-01-01');
    await l.page.locator('#dataTo').fill('2025-12-31');
    await l.page.locator('[data-dataset="prescriptions"]').check();
    for (const id of ['var-prescriptions-fnr', 'var-prescriptions-dispense_date', 'var-prescriptions-atc_code']) await l.page.locator(`#${id}`).check();
    await l.shot('amendment-filled');
    await l.page.locator('[data-action="submit-application"]').click();
    await l.page.waitForURL('**/applications');
    await settle(l.page);
    const amendment = (
      (await platform.call('GET', `/api/applications?projectId=${projectId}`, { as: 'lead' })).body as { id: string; kind: string; status: string }[]
    ).find((a) => a.kind === 'amendment')!;
    expect(amendment.status).toBe('submitted');
    expect(await l.page.locator(`[data-application="${amendment.id}"]`).textContent()).toContain('Data for a new period');
    await l.close();

    const a = await openSession(browser, platform.url, 'admin2', { lang: 'en' });
    await a.visit('/admin/applications', 'amendment-queue');
    const card = a.page.locator(`[data-application="${amendment.id}"]`);
    await card.locator('textarea[name="reason"]').fill('A new period within the purpose.');
    await card.locator('[data-action="approve"]').click();
    await card.locator('input[type="date"]').fill('2029-06-30');
    await card.locator('[data-action="issue-permit"]').click();
    await card.getByText(/version 2 issued/).waitFor();
    await a.visit('/admin/permits', 'permits-v2');
    const versions = a.page.locator('li', { hasText: projectId }).locator('table').first();
    expect(await versions.locator('tbody tr').count()).toBe(2);
    expect(await versions.locator('tbody tr').nth(1).textContent()).toContain('Data for a new period');
    expect(await labelProblems(a.page, a.data)).toEqual(CLEAN);
    await a.close();
  });
});
