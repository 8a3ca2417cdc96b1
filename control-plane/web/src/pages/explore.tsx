/**
 * Explore before applying: protected counts of persons and records across the registers for any
 * researcher or project lead, with or without a permit — linked on the person, filtered by the
 * cohort criteria permits use, broken down by up to three variables, a numeric variable's
 * mean, median and quartiles where the rules allow. Every figure is the server's protected answer.
 */
import { Fragment, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useApi } from '../lib/use-api.ts';
import type { CatalogDatasetSummary, ExploreAnswer } from '../lib/types.ts';
import { Page } from '../components/page.tsx';
import { ErrorView, Loaded } from '../components/status.tsx';
import { ExploreResult } from '../components/explore-result.tsx';
import { cohortFrom, CohortFields } from '../components/explore-cohort.tsx';
import { DummyData } from '../components/explore-dummy.tsx';

const VARIABLES = [
  'population.sex',
  'population.municipality',
  'population.birth_date',
  'patient_episodes.main_diagnosis',
  'patient_episodes.care_level',
  'patient_episodes.health_trust',
  'patient_episodes.admission_date',
  'prescriptions.atc_code',
  'prescriptions.dispense_date',
  'cancer.site',
  'cancer.stage',
  'cause_of_death.underlying_cause',
  'cause_of_death.place_of_death',
];
const MEASURES = ['patient_episodes.length_of_stay', 'prescriptions.ddd', 'prescriptions.packages', 'cancer.tumour_size'];

export function ExplorePage() {
  const { t } = useI18n();
  const datasets = useApi<CatalogDatasetSummary[]>(EP.catalogDatasets);
  const [answer, setAnswer] = useState<ExploreAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const by = ['by0', 'by1', 'by2'].map((k) => String(f.get(k) ?? '')).filter(Boolean);
    const measure = String(f.get('measure') ?? '');
    const from = String(f.get('periodFrom') ?? '');
    const to = String(f.get('periodTo') ?? '');
    const body = {
      datasets: f.getAll('dataset').map(String),
      cohort: cohortFrom(f),
      by,
      ...(measure ? { measure } : {}),
      ...(from && to ? { period: { from, to } } : {}),
    };
    setBusy(true);
    setError(null);
    try {
      setAnswer(await api<ExploreAnswer>('POST', EP.exploreCount, body));
    } catch (err) {
      setAnswer(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title={t('explore.title')}>
      <p>{t('explore.intro')}</p>
      <Loaded state={datasets}>
        {(list) => (
          <form onSubmit={submit} className="stack explore-form">
            <fieldset>
              <legend>{t('explore.datasets')}</legend>
              {list.map((d) => (
                <label key={d.name} className="inline">
                  <input type="checkbox" name="dataset" value={d.name} defaultChecked={d.name === 'patient_episodes'} /> {d.title}
                </label>
              ))}
            </fieldset>
            <fieldset className="grid-form">
              <legend>{t('explore.by')}</legend>
              {[0, 1, 2].map((i) => (
                <Fragment key={i}>
                  <label htmlFor={`by${i}`}>{t('explore.byN', { n: i + 1 })}</label>
                  <select id={`by${i}`} name={`by${i}`} defaultValue="">
                    <option value="">{t('explore.byNone')}</option>
                    {VARIABLES.map((v) => (
                      <option key={v} value={v}>
                        {v}
                      </option>
                    ))}
                  </select>
                </Fragment>
              ))}
              <label htmlFor="measure">{t('explore.measure')}</label>
              <select id="measure" name="measure" defaultValue="">
                <option value="">{t('explore.measureNone')}</option>
                {MEASURES.map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            </fieldset>
            <fieldset className="grid-form">
              <legend>{t('explore.cohort')}</legend>
              <CohortFields />
              <label htmlFor="periodFrom">{t('explore.periodFrom')}</label>
              <input id="periodFrom" name="periodFrom" type="date" />
              <label htmlFor="periodTo">{t('explore.periodTo')}</label>
              <input id="periodTo" name="periodTo" type="date" />
            </fieldset>
            {error ? <ErrorView error={error} /> : null}
            <button type="submit" disabled={busy} data-action="explore-run">
              {t('explore.run')}
            </button>
          </form>
        )}
      </Loaded>
      {answer ? <ExploreResult answer={answer} /> : null}
      <DummyData />
    </Page>
  );
}
