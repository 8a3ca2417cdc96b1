/**
 * The case as a dialogue in a real Chromium against a real control plane, both sides, both
 * languages: an access administrator finds the application in the queue, passes pre-screening
 * and asks for information (the case waits); the lead, in Norwegian, attaches the ethics approval
 * and answers; the administrator reads the answer and the attachment and decides with legal
 * references; the lead reads the decision and its references on the case page. Screenshots of
 * each step; every label in the page's language; nothing scrolls sideways at 390 px.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { launchBrowser, openSession, settle, type Session } from './browser.ts';
import { ensureUiBuilt } from './build-ui.ts';
import { labelProblems } from './language.ts';

/** Browser globals used inside `page.evaluate` callbacks (this repo type-checks tests without the DOM library). */
declare const document: any;

const CLEAN = { foreign: { nb: [], en: [] }, unchanged: [] };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

let platform: TestPlatform;
let browser: Browser;
let applicationId = '';

async function noSidewaysScroll(s: Session, name: string): Promise<void> {
  await s.page.setViewportSize({ width: 390, height: 800 });
  await settle(s.page);
  await s.shot(`${name}-390`);
  expect(await s.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await s.page.setViewportSize({ width: 1366, height: 800 });
}

const status = (page: Page) => page.locator('[data-testid="case-status"]');

beforeAll(async () => {
  await ensureUiBuilt();
  platform = await startTestPlatform({}, { now: new Date().toISOString() });
  browser = await launchBrowser('case-dialogue');
  const res = await platform.call('POST', '/api/applications', {
    as: 'lead',
    body: {
      kind: 'new',
      project: {
        title: 'Statins after a first infarction',
        purpose: 'Whether statin use after a first myocardial infarction lowers the risk of a second.',
        dataControllers: ['NIPH'],
        legalBasis: 'hrl-19',
        ethicsRef: 'REK 2026/1234',
        period: { from: '2018-01-01', to: '2027-12-31' },
      },
      datasets: [{ dataset: 'prescriptions', variables: ['dispense_date', 'atc_code'] }],
      period: { from: '2018-01-01', to: '2025-12-31' },
      cohort: { birthYearFrom: 1940, birthYearTo: 1980 },
    },
  });
  expect(res.status).toBe(201);
  applicationId = res.body.id;
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe('the case as a dialogue, in the browser', () => {
  it('an admin asks for information, the lead answers with an attachment, the admin decides with legal references, the lead reads the decision', async () => {
    const admin = await openSession(browser, platform.url, 'admin1', { lang: 'en' });
    await admin.visit('/admin/applications', 'queue');
    const card = admin.page.locator(`[data-application="${applicationId}"]`);
    const cardText = await card.textContent();
    for (const fact of ['NIPH', 'Born from year: 1940', 'no linkage', 'Project period', 'Data period', 'in pre-screening', 'Due'])
      expect(cardText).toContain(fact);
    await card.locator('[data-action="open-case"]').click();
    await admin.page.waitForURL(`**/applications/${applicationId}`);
    await settle(admin.page);
    await admin.shot('case-prescreening');
    expect(await labelProblems(admin.page, admin.data)).toEqual(CLEAN);

    await admin.page.locator('[data-action="prescreen-complete"]').click();
    await status(admin.page).filter({ hasText: 'in assessment' }).waitFor();
    await admin.page.locator('[data-form="info-requests"] textarea').fill('Please attach the REK approval letter.');
    await admin.page.locator('[data-action="info-requests"]').click();
    await status(admin.page).filter({ hasText: 'waiting for the applicant' }).waitFor();
    await admin.shot('case-info-requested');

    const lead = await openSession(browser, platform.url, 'lead', { lang: 'nb' });
    await lead.visit(`/applications/${applicationId}`, 'case-asked');
    expect(await lead.page.locator('main').textContent()).toContain('Please attach the REK approval letter.');
    await lead.page.locator('[data-form="attach"] input[type="file"]').setInputFiles({ name: 'rek-godkjenning.pdf', mimeType: 'application/pdf', buffer: PDF });
    await lead.page.locator('[data-action="attach"]').click();
    await lead.page.locator('.case-attachments li', { hasText: 'rek-godkjenning.pdf' }).waitFor();
    expect(await lead.page.locator('.case-attachments li').textContent()).toContain('Etisk godkjenning (REK) · application/pdf');
    await lead.page.locator('[data-form="info-answers"] textarea').fill('Vedlagt: REK-godkjenningen.');
    await lead.page.locator('[data-action="info-answers"]').click();
    await status(lead.page).filter({ hasText: 'under vurdering' }).waitFor();
    await lead.shot('case-answered');
    expect(await labelProblems(lead.page, lead.data, 'nb')).toEqual(CLEAN);
    await noSidewaysScroll(lead, 'case-answered');

    await admin.visit(`/applications/${applicationId}`, 'case-answer-read');
    const history = admin.page.locator('ol.case-history');
    expect(await history.textContent()).toContain('Vedlagt: REK-godkjenningen.');
    expect(await history.textContent()).toContain('attached rek-godkjenning.pdf');
    const download = admin.page.waitForEvent('download');
    await admin.page.locator('.case-attachments a').click();
    expect((await download).suggestedFilename()).toBe('rek-godkjenning.pdf');
    await admin.page.locator('[data-form="decide"] textarea[name="reason"]').fill('Complete, lawful, data minimised.');
    await admin.page.locator('[data-form="decide"] textarea[name="legalReferences"]').fill('helseregisterloven § 19 b\nEHDS art. 68');
    await admin.page.locator('[data-action="approve"]').click();
    await status(admin.page).filter({ hasText: 'approved' }).waitFor();
    await admin.shot('case-decided');

    await lead.visit(`/applications/${applicationId}`, 'case-decision');
    const record = lead.page.locator('[data-testid="decision-record"]');
    const recordText = await record.textContent();
    for (const part of ['innvilget', 'Complete, lawful, data minimised.', 'helseregisterloven § 19 b', 'EHDS art. 68', 'admin1'])
      expect(recordText).toContain(part);
    expect(await lead.page.locator('ol.case-history li').evaluateAll((els) => els.map((e: any) => e.dataset.event))).toEqual([
      'submitted',
      'prescreen_passed',
      'info_requested',
      'attachment_added',
      'info_provided',
      'decided',
    ]);
    expect(await labelProblems(lead.page, lead.data, 'en')).toEqual(CLEAN);
    await lead.shot('case-decision-en');
    await noSidewaysScroll(lead, 'case-decision');

    const audit = await platform.call('GET', `/api/audit/entries?${new URLSearchParams({ action: 'application.attachment.*', outcome: 'success' })}`, {
      as: 'auditor',
    });
    expect(audit.body.entries.map((e: { action: string; actor: string }) => [e.action, e.actor])).toEqual([
      ['application.attachment.add', 'lead'],
      ['application.attachment.download', 'admin1'],
    ]);
    await admin.close();
    await lead.close();
  });

  it('the lead withdraws an open application from its card, after confirming', async () => {
    const res = await platform.call('POST', '/api/applications', {
      as: 'lead',
      body: {
        kind: 'new',
        project: {
          title: 'A study withdrawn',
          purpose: 'An application the lead takes back.',
          dataControllers: ['NIPH'],
          legalBasis: 'hrl-19',
          period: { from: '2018-01-01', to: '2027-12-31' },
        },
        datasets: [{ dataset: 'prescriptions', variables: ['dispense_date', 'atc_code'] }],
        period: { from: '2018-01-01', to: '2025-12-31' },
      },
    });
    const lead = await openSession(browser, platform.url, 'lead', { lang: 'en' });
    await lead.visit('/applications', 'my-applications');
    const card = lead.page.locator(`[data-application="${res.body.id}"]`);
    await card.locator('details.withdraw summary').click();
    await card.locator('textarea[name="reason"]').fill('Funding fell through.');
    lead.page.once('dialog', (d) => void d.accept());
    await card.locator('[data-action="withdrawal"]').click();
    await card.locator('.badge', { hasText: 'withdrawn' }).waitFor();
    await lead.shot('withdrawn');
    expect((await platform.call('GET', `/api/applications/${res.body.id}`, { as: 'lead' })).body.status).toBe('withdrawn');
    await lead.close();
  });
});
