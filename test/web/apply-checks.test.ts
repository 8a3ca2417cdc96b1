/** The application form's errors: the browser's checks, and the server's problems mapped back to the inputs, in both languages. */
import { describe, expect, it } from 'vitest';
import { checkDraft, serverErrors } from '../../control-plane/web/src/components/apply-checks.ts';
import { bodyOf, type Draft, draftFromPermit, emptyDraft } from '../../control-plane/web/src/components/apply-draft.ts';
import { en } from '../../control-plane/web/src/i18n/en.ts';
import type { MessageKey } from '../../control-plane/web/src/i18n/keys.ts';
import { nb } from '../../control-plane/web/src/i18n/nb.ts';
import { ApiError } from '../../control-plane/web/src/lib/api.ts';

/** The page's `t` over one dictionary (as `i18n/index.tsx` fills placeholders). */
const tr =
  (dict: Record<MessageKey, string>) =>
  (key: MessageKey, vars: Record<string, string | number> = {}) =>
    dict[key].replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));

const filled = (over: Partial<Draft> = {}): Draft => ({
  ...emptyDraft('new'),
  title: 'Statins',
  purpose: 'Statins and hip fracture after 65.',
  controllers: 'NIPH',
  projectFrom: '2026-01-01',
  projectTo: '2029-12-31',
  dataFrom: '2015-01-01',
  dataTo: '2024-12-31',
  selection: { population: ['fnr', 'sex'], prescriptions: ['atc_code', 'dispensed_date'] },
  reasons: { population: { fnr: 'Links the registers per person.' } },
  ...over,
});

describe('checkDraft', () => {
  it('finds nothing in a complete draft', () => {
    expect(checkDraft(filled(), tr(en), { population: ['fnr'] })).toEqual({});
  });

  it('names every problem at once by its input, in the language of the page', () => {
    const d = filled({
      title: 'St',
      dataTo: '2014-12-31',
      reasons: {},
      linkage: true,
      selection: { population: ['fnr'] },
      cohort: { birthYearFrom: '1990', birthYearTo: '1950', sex: [], icd10: 'E11, diabetes', atc: '' },
    });
    const messages = (t: ReturnType<typeof tr>) =>
      Object.fromEntries(Object.entries(checkDraft(d, t, { population: ['fnr'] })).map(([k, v]) => [k, v.message]));
    expect(messages(tr(en))).toEqual({
      title: 'Title: write at least 3 characters.',
      dataTo: 'The data period ends before it starts.',
      'reason-population-fnr': 'fnr is a direct identifier: say why the project needs it (at least 10 characters).',
      linkage: 'Linking needs two datasets or more: choose another dataset, or do not link.',
      birthYearTo: 'The birth years are the wrong way round: "born from" comes after "born up to".',
      icd10: 'Not ICD-10 codes or code prefixes: diabetes.',
    });
    expect(messages(tr(nb)).dataTo).toBe('Dataperioden slutter før den begynner.');
  });
});

describe('serverErrors', () => {
  it("puts each of the server's problems beside the input it names, with the suggestion as a fix", () => {
    const d = filled({ dataFrom: '2005-01-01' });
    const err = new ApiError(400, 'submission: …', 'unknown_variable', '/api/applications', {
      field: 'datasets[1].variables[1]',
      problems: [
        {
          field: 'datasets[1].variables[1]',
          reason: 'unknown_variable',
          dataset: 'prescriptions',
          variable: 'dispensed_date',
          suggestion: 'dispense_date',
          message: '',
        },
        { field: 'period.from', reason: 'period_outside_register', dataset: 'prescriptions', bound: '2010-01-01', suggestion: null, message: '' },
      ],
    });
    const found = serverErrors(err, d, tr(en))!;
    expect(Object.fromEntries(Object.entries(found).map(([k, v]) => [k, [v.message, v.fix?.label]]))).toEqual({
      'vars-prescriptions': ['prescriptions has no variable dispensed_date. Did you mean dispense_date?', 'Use dispense_date'],
      dataFrom: ['The data period starts before prescriptions has data: it holds data from 2010-01-01.', 'Start the data period on 2010-01-01'],
    });
    const fixed = found.dataFrom!.fix!.apply(found['vars-prescriptions']!.fix!.apply(d));
    expect([fixed.selection.prescriptions, fixed.dataFrom]).toEqual([['atc_code', 'dispense_date'], '2010-01-01']);
    expect(serverErrors(err, d, tr(nb))!['vars-prescriptions']!.message).toBe('prescriptions har ingen variabel dispensed_date. Mente du dispense_date?');
  });

  it("maps a schema error's field to its input, and leaves other answers to the page", () => {
    const schema = new ApiError(400, 'body project.period.to: from must not be after to', 'invalid_input', '/api/applications', { field: 'project.period.to' });
    expect(Object.keys(serverErrors(schema, filled(), tr(en))!)).toEqual(['projectTo']);
    expect(serverErrors(new ApiError(403, 'no', 'wrong_role', '/api/applications'), filled(), tr(en))).toBeNull();
  });
});

describe('drafts', () => {
  it('start an amendment from the permit in force and send what the API takes', () => {
    const d = draftFromPermit(emptyDraft('amendment', 'prj_demo'), {
      datasets: [{ dataset: 'population', variables: ['fnr', 'sex'], reasons: { fnr: 'Links the registers per person.' } }],
      period: { from: '2015-01-01', to: '2025-12-31' },
      cohort: { birthYearFrom: 1930, atc: ['A10B'] },
      linkageAllowed: false,
      version: 3,
    } as unknown as Parameters<typeof draftFromPermit>[1]);
    expect(bodyOf({ ...d, justification: 'A longer follow-up.' })).toEqual({
      kind: 'amendment',
      projectId: 'prj_demo',
      justification: 'A longer follow-up.',
      caseType: 'new_period',
      datasets: [{ dataset: 'population', variables: ['fnr', 'sex'], reasons: { fnr: 'Links the registers per person.' } }],
      period: { from: '2015-01-01', to: '2025-12-31' },
      cohort: { birthYearFrom: 1930, atc: ['A10B'] },
      linkage: false,
      members: [],
    });
  });
});
