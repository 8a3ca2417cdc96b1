/**
 * Checked applications (issue 15 item 1), against a real platform: the `prescriptions.dispensed_date`
 * case and its siblings give one 400 naming the field and, for a wrong name, the nearest catalogue
 * name, at submission, at decision and at permit issue. For the later steps the catalogue changes
 * after submission, in the store as an operator changes it (a new description of the register), or
 * the application is one stored before the checks existed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Catalogue, type Dataset, demoCatalogue, loadCatalogue, saveCatalogue } from '../../control-plane/src/catalog/index.ts';
import { DEMO_PROJECT_TITLE } from '../../control-plane/src/demo/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { runTre } from '../support/tre.ts';

let p: TestPlatform;
/** The last date the stored demo prescriptions hold, as intake measured it. */
let prescriptionsEnd: string;

beforeAll(async () => {
  p = await startTestPlatform();
  await p.modules.dataCopies.demoReady();
  const ds = await p.call('GET', '/api/catalog/datasets/prescriptions', { as: 'lead' });
  prescriptionsEnd = ds.body.versions.at(-1).period.to;
});
afterAll(async () => {
  await p?.stop();
});

type Body = Record<string, unknown>;

const application = (over: Body = {}): Body => ({
  kind: 'new',
  project: {
    title: 'Statins and hip fracture',
    purpose: 'Do statins change the risk of hip fracture after 65?',
    dataControllers: ['NIPH'],
    legalBasis: 'hforsk-35',
    period: { from: '2026-01-01', to: '2029-12-31' },
  },
  datasets: [{ dataset: 'prescriptions', variables: ['atc_code', 'dispense_date'] }],
  period: { from: '2015-01-01', to: '2024-12-31' },
  cohort: {},
  linkage: false,
  ...over,
});

/** Changes the register descriptions in the store, as an operator does when a register changes. */
async function changeCatalogue(edit: (c: Catalogue, ds: (name: string) => Dataset) => void): Promise<void> {
  const c = await loadCatalogue(p.deps.store);
  edit(c, (name) => c.datasets.find((d) => d.name === name)!);
  await saveCatalogue(p.deps.store, c, p.clock.now());
}

async function restoreCatalogue(): Promise<void> {
  await p.deps.store.query(`DELETE FROM catalog_datasets WHERE name = 'dental_visits'`);
  await saveCatalogue(p.deps.store, demoCatalogue(), p.clock.now());
}

const dental: Dataset = {
  ...demoCatalogue().datasets.find((d) => d.name === 'cause_of_death')!,
  name: 'dental_visits',
  title: 'Dental visits',
  periodVariable: null,
  coverage: null,
};

const submit = (body: Body) => p.call('POST', '/api/applications', { as: 'lead', body });
const approve = (id: string) => p.call('POST', `/api/applications/${id}/decision`, { as: 'admin1', body: { decision: 'approve', reason: 'In order.' } });
const issue = (id: string) => p.call('POST', '/api/permits', { as: 'admin1', body: { applicationId: id, expiresAt: '2028-12-31T23:59:59Z' } });

/** The 400's reason and its problems, field, reason and suggestion each. */
function problemsOf(res: { status: number; body: any }) {
  return {
    status: res.status,
    reason: res.body.reason,
    field: res.body.field,
    problems: (res.body.problems ?? []).map((x: { field: string; reason: string; suggestion: string | null; bound?: string }) => ({
      field: x.field,
      reason: x.reason,
      suggestion: x.suggestion,
      ...(x.bound ? { bound: x.bound } : {}),
    })),
  };
}

const one = (field: string, reason: string, suggestion: string | null = null, bound?: string) => ({
  status: 400,
  reason,
  field,
  problems: [{ field, reason, suggestion, ...(bound ? { bound } : {}) }],
});

interface Sibling {
  name: string;
  /** The application wrong at submission. */
  bad: () => Body;
  /** What the submission answers. */
  atSubmission: () => ReturnType<typeof one>;
  /** A valid application that a later change makes wrong. */
  good: () => Body;
  /** The change between the steps. */
  breakIt: (applicationId: string) => Promise<void>;
  /** Undoes it beyond the catalogue (which is always restored). */
  mend?: (applicationId: string) => Promise<void>;
  /** The catalogue change the wrong submission needs, if its wrongness lies in the catalogue. */
  beforeSubmission?: () => Promise<void>;
  /** What approval and issue answer after it. */
  later: () => ReturnType<typeof one>;
}

const renameVariable = (dataset: string, from: string, to: string) =>
  changeCatalogue((_, ds) => {
    const d = ds(dataset);
    d.variables = d.variables.map((v) => (v.name === from ? { ...v, name: to } : v));
    if (d.periodVariable === from) d.periodVariable = to;
  });

const SIBLINGS: Sibling[] = [
  {
    name: 'a misspelt variable (prescriptions.dispensed_date)',
    bad: () => application({ datasets: [{ dataset: 'prescriptions', variables: ['atc_code', 'dispensed_date'] }] }),
    atSubmission: () => one('datasets[0].variables[1]', 'unknown_variable', 'dispense_date'),
    good: () => application(),
    breakIt: () => renameVariable('prescriptions', 'dispense_date', 'dispensing_date'),
    later: () => one('datasets[0].variables[1]', 'unknown_variable', 'dispensing_date'),
  },
  {
    name: 'an unknown dataset',
    bad: () => application({ datasets: [{ dataset: 'prescription', variables: ['atc_code'] }] }),
    atSubmission: () => one('datasets[0].dataset', 'unknown_dataset', 'prescriptions'),
    good: () => application({ datasets: [{ dataset: 'dental_visits', variables: ['underlying_cause'] }] }),
    breakIt: async () => {
      await p.deps.store.query(`DELETE FROM catalog_datasets WHERE name = 'dental_visits'`);
    },
    later: () => one('datasets[0].dataset', 'unknown_dataset', null),
  },
  {
    name: 'a cohort criterion whose register is not in the catalogue',
    bad: () => application({ cohort: { icd10: ['I21'] } }),
    beforeSubmission: () => renameVariable('patient_episodes', 'main_diagnosis', 'primary_diagnosis'),
    atSubmission: () => one('cohort.icd10', 'unknown_dataset'),
    good: () => application({ cohort: { icd10: ['I21'] } }),
    breakIt: () => renameVariable('patient_episodes', 'main_diagnosis', 'primary_diagnosis'),
    later: () => one('cohort.icd10', 'unknown_dataset'),
  },
  {
    name: 'a direct identifier without a reason',
    bad: () => application({ datasets: [{ dataset: 'population', variables: ['fnr', 'sex'] }] }),
    atSubmission: () => one('datasets[0].reasons.fnr', 'direct_identifier_needs_reason'),
    good: () => application({ datasets: [{ dataset: 'population', variables: ['sex', 'birth_date'] }] }),
    breakIt: () =>
      changeCatalogue((_, ds) => {
        const d = ds('population');
        d.variables = d.variables.map((v) => (v.name === 'birth_date' ? { ...v, class: 'direct_identifier' as const } : v));
      }),
    later: () => one('datasets[0].reasons.birth_date', 'direct_identifier_needs_reason'),
  },
  {
    name: 'linkage with one dataset',
    bad: () => application({ linkage: true }),
    atSubmission: () => one('linkage', 'linkage_needs_two_datasets'),
    good: () => application(),
    // Only an application stored before the checks existed can be in this state after submission.
    breakIt: async (id) => {
      await p.deps.store.query(`UPDATE applications SET body = jsonb_set(body, '{linkage}', 'true') WHERE id = $1`, [id]);
    },
    mend: async (id) => {
      await p.deps.store.query(`UPDATE applications SET body = jsonb_set(body, '{linkage}', 'false') WHERE id = $1`, [id]);
    },
    later: () => one('linkage', 'linkage_needs_two_datasets'),
  },
  {
    name: 'a data period starting before the register',
    bad: () => application({ period: { from: '2005-01-01', to: '2020-12-31' } }),
    atSubmission: () => one('period.from', 'period_outside_register', null, '2010-01-01'),
    good: () => application(),
    breakIt: () =>
      changeCatalogue((_, ds) => {
        ds('prescriptions').coverage = { from: '2016-01-01', to: null };
      }),
    later: () => one('period.from', 'period_outside_register', null, '2016-01-01'),
  },
  {
    name: 'a data period after the register',
    bad: () => application({ period: { from: '2026-01-01', to: '2026-12-31' } }),
    atSubmission: () => one('period.from', 'period_outside_register', null, prescriptionsEnd),
    good: () => application(),
    // The register was closed: it holds nothing after its last day.
    breakIt: () =>
      changeCatalogue((_, ds) => {
        ds('prescriptions').coverage = { from: '2010-01-01', to: '2019-12-31' };
      }),
    later: () => one('period.to', 'period_outside_register', null, '2019-12-31'),
  },
];

describe('checked applications', () => {
  for (const s of SIBLINGS) {
    it(`${s.name}: 400 naming the field at submission, at decision and at permit issue`, async () => {
      await s.beforeSubmission?.();
      try {
        expect(problemsOf(await submit(s.bad()))).toEqual(s.atSubmission());
      } finally {
        await restoreCatalogue();
      }

      await saveCatalogue(p.deps.store, { datasets: [dental], codeLists: [] }, p.clock.now());
      const submitted = await submit({ ...s.good(), project: { ...(s.good().project as Body), title: `Checked: ${s.name}` } });
      expect(submitted.status).toBe(201);
      const id = submitted.body.id as string;

      await s.breakIt(id);
      expect(problemsOf(await approve(id))).toEqual(s.later());
      await s.mend?.(id);
      await restoreCatalogue();
      await saveCatalogue(p.deps.store, { datasets: [dental], codeLists: [] }, p.clock.now());
      expect((await approve(id)).status).toBe(200);

      await s.breakIt(id);
      expect(problemsOf(await issue(id))).toEqual(s.later());
      expect((await p.call('GET', `/api/applications/${id}`, { as: 'admin1' })).body.status).toBe('approved');
      await restoreCatalogue();
    });
  }

  it('lists every problem of an application at once, in field order, with the words for each', async () => {
    const res = await submit(
      application({
        datasets: [
          { dataset: 'prescriptions', variables: ['dispensed_date', 'atc'] },
          { dataset: 'population', variables: ['fnr'], reasons: { fnr: 'The person key, to link the two registers.' } },
          { dataset: 'cause_of_deaths', variables: ['death_date'] },
        ],
        period: { from: '2009-06-01', to: '2020-12-31' },
        linkage: true,
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body.problems).toEqual([
      {
        field: 'datasets[0].variables[0]',
        reason: 'unknown_variable',
        dataset: 'prescriptions',
        variable: 'dispensed_date',
        suggestion: 'dispense_date',
        message: 'prescriptions has no variable dispensed_date; did you mean dispense_date?',
      },
      {
        field: 'datasets[0].variables[1]',
        reason: 'unknown_variable',
        dataset: 'prescriptions',
        variable: 'atc',
        suggestion: 'atc_code',
        message: 'prescriptions has no variable atc; did you mean atc_code?',
      },
      {
        field: 'datasets[2].dataset',
        reason: 'unknown_dataset',
        dataset: 'cause_of_deaths',
        suggestion: 'cause_of_death',
        message: 'there is no dataset cause_of_deaths in the catalogue; did you mean cause_of_death?',
      },
      {
        field: 'period.from',
        reason: 'period_outside_register',
        dataset: 'prescriptions',
        bound: '2010-01-01',
        suggestion: null,
        message: 'the data period starts before the first data of prescriptions (2010-01-01)',
      },
    ]);
    expect(res.body.detail).toBe(
      'submission: datasets[0].variables[0]: prescriptions has no variable dispensed_date; did you mean dispense_date? (and 3 more)',
    );
  });

  it('an amendment of the permit is held to the catalogue as it is then', async () => {
    const projects = (await p.call('GET', '/api/projects', { as: 'lead' })).body as { id: string; title: string }[];
    const demo = projects.find((x) => x.title === DEMO_PROJECT_TITLE)!.id;
    const res = await p.call('POST', `/api/projects/${demo}/permit/amendments`, {
      as: 'admin2',
      body: { caseType: 'extra_order', reason: 'Cause of death only.', datasets: [{ dataset: 'cause_of_death', variables: ['death_date', 'cause'] }] },
    });
    // The permit in force allows linkage, which one dataset cannot have.
    expect(problemsOf(res)).toEqual({
      status: 400,
      reason: 'unknown_variable',
      field: 'datasets[0].variables[1]',
      problems: [
        { field: 'datasets[0].variables[1]', reason: 'unknown_variable', suggestion: 'underlying_cause' },
        { field: 'linkageAllowed', reason: 'linkage_needs_two_datasets', suggestion: null },
      ],
    });
    await renameVariable('population', 'sex', 'legal_sex');
    try {
      // Kept terms are checked too: the permit in force asks for population.sex, gone from the catalogue.
      const kept = await p.call('POST', `/api/projects/${demo}/permit/amendments`, { as: 'admin2', body: { caseType: 'extra_order', reason: 'Longer.' } });
      expect(problemsOf(kept)).toEqual(one('datasets[0].variables[1]', 'unknown_variable', 'legal_sex'));
    } finally {
      await restoreCatalogue();
    }
  });

  it('tre applications submit prints every problem with its field and suggestion', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tre-checks-'));
    try {
      const file = join(dir, 'application.json');
      writeFileSync(file, JSON.stringify(application({ datasets: [{ dataset: 'prescriptions', variables: ['dispensed_date', 'ddd'] }], linkage: true })));
      const env = { TRE_URL: p.url, TRE_TOKEN: await p.token('lead'), TRE_CONFIG_DIR: dir };
      const text = await runTre(['applications', 'submit', '--file', file], env);
      expect(text.code).toBe(1);
      expect(text.stderr).toBe(
        [
          'tre: 400 submission: datasets[0].variables[0]: prescriptions has no variable dispensed_date; did you mean dispense_date? (and 1 more)',
          '  datasets[0].variables[0]: prescriptions has no variable dispensed_date; did you mean dispense_date?',
          '  linkage: linkage joins two datasets or more: name another dataset or ask for no linkage',
          '',
        ].join('\n'),
      );
      const json = await runTre(['applications', 'submit', '--file', file, '--json'], env);
      expect(json.json.error.details.problems.map((x: { field: string }) => x.field)).toEqual(['datasets[0].variables[0]', 'linkage']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
