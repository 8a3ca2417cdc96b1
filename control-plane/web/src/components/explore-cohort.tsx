/** The cohort fields permits use (birth years, sex, ICD-10 and ATC prefixes), read into the permit's cohort shape. */
import { useI18n } from '../i18n/index.tsx';

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

export function CohortFields() {
  const { t } = useI18n();
  return (
    <>
      <label htmlFor="birthYearFrom">{t('cohort.birthYearFrom')}</label>
      <input id="birthYearFrom" name="birthYearFrom" type="number" min={1850} max={2100} />
      <label htmlFor="birthYearTo">{t('cohort.birthYearTo')}</label>
      <input id="birthYearTo" name="birthYearTo" type="number" min={1850} max={2100} />
      <span id="explore-sex-label">{t('cohort.sex')}</span>
      <div role="group" aria-labelledby="explore-sex-label">
        <label className="inline">
          <input type="checkbox" name="sex" value="F" /> {t('sex.F')}
        </label>
        <label className="inline">
          <input type="checkbox" name="sex" value="M" /> {t('sex.M')}
        </label>
      </div>
      <label htmlFor="icd10">{t('cohort.icd10')}</label>
      <input id="icd10" name="icd10" placeholder="E11, I21" />
      <label htmlFor="atc">{t('cohort.atc')}</label>
      <input id="atc" name="atc" placeholder="A10B" />
    </>
  );
}
