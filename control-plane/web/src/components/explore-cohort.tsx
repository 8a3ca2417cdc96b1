/** The cohort fields permits use (birth years, sex, ICD-10 and ATC prefixes), read into the permit's cohort shape. */
import { useI18n } from '../i18n/index.tsx';
import { FieldErrorView, invalidProps } from './field-error.tsx';
import type { FieldErrors } from './form-types.ts';

const csv = (s: FormDataEntryValue | null) =>
  String(s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const int = (s: FormDataEntryValue | null) => (String(s ?? '').trim() ? Number(s) : undefined);

/** The cohort of a form with the fields below (the application form's names). */
export function cohortFrom(f: FormData): Record<string, unknown> {
  const cohort: Record<string, unknown> = {};
  if (int(f.get('birthYearFrom')) !== undefined) cohort.birthYearFrom = int(f.get('birthYearFrom'));
  if (int(f.get('birthYearTo')) !== undefined) cohort.birthYearTo = int(f.get('birthYearTo'));
  const sex = f.getAll('sex').map(String);
  if (sex.length) cohort.sex = sex;
  if (csv(f.get('icd10')).length) cohort.icd10 = csv(f.get('icd10'));
  if (csv(f.get('atc')).length) cohort.atc = csv(f.get('atc'));
  return cohort;
}

/** The cohort as the application form holds it (text as typed). */
export interface CohortValue {
  birthYearFrom: string;
  birthYearTo: string;
  sex: string[];
  icd10: string;
  atc: string;
}

/**
 * The cohort inputs, used by the explore page (uncontrolled, read with `cohortFrom`) and by the
 * application form (controlled: `value`, `onChange`, and its `errors` by input id beside each).
 */
export function CohortFields({ value, onChange, errors = {} }: { value?: CohortValue; onChange?(v: CohortValue): void; errors?: FieldErrors } = {}) {
  const { t } = useI18n();
  const set = (patch: Partial<CohortValue>) => value && onChange?.({ ...value, ...patch });
  const ctl = (id: 'birthYearFrom' | 'birthYearTo' | 'icd10' | 'atc', hint?: string) =>
    value ? { value: value[id], onChange: (e: { target: { value: string } }) => set({ [id]: e.target.value }), ...invalidProps(id, errors[id], hint) } : {};
  const sexBox = (s: 'F' | 'M') =>
    value
      ? {
          checked: value.sex.includes(s),
          onChange: (e: { target: { checked: boolean } }) => set({ sex: e.target.checked ? [...value.sex, s] : value.sex.filter((x) => x !== s) }),
        }
      : {};
  return (
    <>
      <label htmlFor="birthYearFrom">{t('cohort.birthYearFrom')}</label>
      <input id="birthYearFrom" name="birthYearFrom" type="number" min={1850} max={2100} step={1} {...ctl('birthYearFrom')} />
      <FieldErrorView id="birthYearFrom" error={errors.birthYearFrom} />
      <label htmlFor="birthYearTo">{t('cohort.birthYearTo')}</label>
      <input id="birthYearTo" name="birthYearTo" type="number" min={1850} max={2100} step={1} {...ctl('birthYearTo')} />
      <FieldErrorView id="birthYearTo" error={errors.birthYearTo} />
      <span id="explore-sex-label">{t('cohort.sex')}</span>
      <div role="group" aria-labelledby="explore-sex-label">
        <label className="inline">
          <input type="checkbox" name="sex" value="F" {...sexBox('F')} /> {t('sex.F')}
        </label>
        <label className="inline">
          <input type="checkbox" name="sex" value="M" {...sexBox('M')} /> {t('sex.M')}
        </label>
      </div>
      <label htmlFor="icd10">{t('cohort.icd10')}</label>
      <input id="icd10" name="icd10" placeholder="E11, I21" maxLength={2000} {...ctl('icd10', 'icd-hint')} />
      <p id="icd-hint" className="hint">
        {t('apply.commaHint')}
      </p>
      <FieldErrorView id="icd10" error={errors.icd10} />
      <label htmlFor="atc">{t('cohort.atc')}</label>
      <input id="atc" name="atc" placeholder="A10B" maxLength={2000} {...ctl('atc')} />
      <FieldErrorView id="atc" error={errors.atc} />
    </>
  );
}
