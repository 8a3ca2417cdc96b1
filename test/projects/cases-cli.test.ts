/** `tre applications` for the case dialogue, through the real command against a real control plane. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTre, type TreResult } from '../support/tre.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let p: TestPlatform;
const dir = mkdtempSync(join(tmpdir(), 'tre-cases-cli-'));

beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(async () => {
  await p?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function tre(as: string, args: string[]): Promise<TreResult> {
  return runTre(args, { TRE_URL: p.url, TRE_TOKEN: await p.token(as), TRE_CONFIG_DIR: dir });
}

describe('tre applications, the case as a dialogue', () => {
  it('submit, assign, request-info, attach, answer, message, decide with legal references, show the history; --json everywhere', async () => {
    const file = join(dir, 'application.json');
    writeFileSync(
      file,
      JSON.stringify({
        kind: 'new',
        project: {
          title: 'CLI case study',
          purpose: 'Statin use and later cardiovascular events.',
          dataControllers: ['NIPH'],
          legalBasis: 'hrl-19',
          period: { from: '2018-01-01', to: '2027-12-31' },
        },
        datasets: [{ dataset: 'prescriptions', variables: ['dispense_date', 'atc_code'] }],
        period: { from: '2018-01-01', to: '2025-12-31' },
      }),
    );
    const submitted = await tre('lead', ['applications', 'submit', '--file', file, '--json']);
    expect(submitted.code).toBe(0);
    const id = submitted.json.id as string;

    const assigned = await tre('admin1', ['applications', 'assign', id, '--to', 'admin2', '--json']);
    expect(assigned.json).toMatchObject({ id, assignedTo: 'admin2', status: 'submitted' });
    const asked = await tre('admin2', ['applications', 'request-info', id, '--text', 'Attach the REK approval.', '--json']);
    expect(asked.json).toMatchObject({ status: 'awaiting_applicant' });

    const pdf = join(dir, 'rek.pdf');
    const bytes = Buffer.from('%PDF-1.4\n%%EOF\n');
    writeFileSync(pdf, bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const attached = await tre('lead', ['applications', 'attach', id, pdf, '--type', 'ethics_approval', '--json']);
    expect(attached.json).toMatchObject({ type: 'ethics_approval', filename: 'rek.pdf', contentType: 'application/pdf', sizeBytes: bytes.length, sha256 });
    const answered = await tre('lead', ['applications', 'answer', id, '--text', 'Attached.', '--json']);
    expect(answered.json).toMatchObject({ status: 'submitted' });
    expect((await tre('admin2', ['applications', 'prescreen', id, '--complete', '--json'])).json).toMatchObject({ status: 'in_assessment' });
    expect((await tre('lead', ['applications', 'message', id, '--text', 'Thanks.', '--json'])).code).toBe(0);
    const decided = await tre('admin2', [
      'applications',
      'decide',
      id,
      '--approve',
      '--reason',
      'Complete and lawful.',
      '--legal-ref',
      'helseregisterloven § 19 b',
      '--legal-ref',
      'EHDS art. 68',
      '--json',
    ]);
    expect(decided.json).toMatchObject({ status: 'approved', decisionLegalReferences: ['helseregisterloven § 19 b', 'EHDS art. 68'] });

    const shown = await tre('lead', ['applications', 'show', id, '--json']);
    expect(shown.json.history.map((e: { kind: string }) => e.kind)).toEqual([
      'submitted',
      'assigned',
      'info_requested',
      'attachment_added',
      'info_provided',
      'prescreen_passed',
      'message',
      'decided',
    ]);
    const text = await tre('lead', ['applications', 'show', id]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('legal refs helseregisterloven § 19 b; EHDS art. 68');
    expect(text.stdout).toContain('info requested: Attach the REK approval.');
    expect(text.stdout).toContain(`attachment ${attached.json.id} ethics_approval rek.pdf application/pdf ${bytes.length} B sha256 ${sha256}`);

    const out = join(dir, 'back.pdf');
    const downloaded = await tre('admin2', ['applications', 'download', id, attached.json.id, '--out', out, '--json']);
    expect(downloaded.json).toEqual({ attachment: attached.json.id, file: out, sizeBytes: bytes.length, sha256 });
    expect(readFileSync(out).equals(bytes)).toBe(true);
  });

  it('the applicant withdraws; a researcher of the project cannot, and the refusal names why', async () => {
    const listed = await tre('lead', ['applications', 'list', '--json']);
    const demo = listed.json[0].projectId as string;
    const file = join(dir, 'amend.json');
    writeFileSync(
      file,
      JSON.stringify({
        kind: 'amendment',
        caseType: 'extra_order',
        projectId: demo,
        justification: 'One more variable.',
        datasets: [{ dataset: 'prescriptions', variables: ['dispense_date', 'atc_code'] }],
        period: { from: '2018-01-01', to: '2025-12-31' },
      }),
    );
    const id = (await tre('lead', ['applications', 'submit', '--file', file, '--json'])).json.id as string;
    const refused = await tre('researcher', ['applications', 'withdraw', id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("403 only the project's lead speaks for the applicant");
    const withdrawn = await tre('lead', ['applications', 'withdraw', id, '--reason', 'Not needed after all.', '--json']);
    expect(withdrawn.json).toMatchObject({ id, status: 'withdrawn' });
  });
});
