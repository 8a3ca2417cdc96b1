import { useEffect, useState } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { EP } from '../lib/endpoints.ts';
import type { CatalogDataset, CatalogDatasetSummary, CodeList } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { FieldErrorView, invalidProps } from './field-error.tsx';
import type { FieldError, FieldErrors, Selection } from './form-types.ts';
import { Loaded, NotAvailable } from './status.tsx';

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** A variable's code list, from the dataset's own `codeLists` (the catalogue sends them with the dataset). */
function CodeListView({ list }: { list: CodeList }) {
  const { t } = useI18n();
  return (
    <details>
      <summary>{t('catalog.codeList', { id: list.name ?? list.id })}</summary>
      <p className="muted small">
        {list.id} · {list.version} · {list.source}
      </p>
      <div className="codes table-scroll" tabIndex={0} role="region" aria-label={t('catalog.codeList', { id: list.name ?? list.id })}>
        <table className="data compact">
          <thead>
            <tr>
              <th scope="col">{t('catalog.code')}</th>
              <th scope="col">{t('catalog.codeLabel')}</th>
            </tr>
          </thead>
          <tbody>
            {(list.codes ?? []).slice(0, 300).map((c) => (
              <tr key={c.code}>
                <td>
                  <code>{c.code}</code>
                </td>
                <td>{c.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/** What the application form adds to the picker: reasons for direct identifiers, errors beside the fields, their fixes. */
export interface PickerExtras {
  reasons: Record<string, Record<string, string>>;
  onReasons(dataset: string, reasons: Record<string, string>): void;
  errors: FieldErrors;
  onFix(fix: NonNullable<FieldError['fix']>): void;
  /** Told each chosen dataset's direct identifiers once its description is loaded. */
  onDirect(dataset: string, names: string[]): void;
}

/** The variables typed by name, kept in step with the ticks (a name the catalogue lacks stays, for the server to name). */
function VariablesByName({ name, selected, onChange, extras }: { name: string; selected: string[]; onChange(vars: string[]): void; extras?: PickerExtras }) {
  const { t } = useI18n();
  const [typed, setText] = useState(selected.join(', '));
  // What was typed, unless the choice changed from outside (a tick, a fix): then the choice, in the same render.
  const text = list(typed).join(',') === selected.join(',') ? typed : selected.join(', ');
  const id = `vars-${name}`;
  const error = extras?.errors[id];
  return (
    <div className="vars-by-name">
      <label htmlFor={id}>{t('checks.variablesByName', { dataset: name })}</label>
      <input
        id={id}
        value={text}
        maxLength={4000}
        {...invalidProps(id, error, `${id}-hint`)}
        onChange={(e) => {
          setText(e.target.value);
          onChange([...new Set(list(e.target.value))]);
        }}
      />
      <p id={`${id}-hint`} className="hint">
        {t('checks.variablesByNameHint')}
      </p>
      <FieldErrorView id={id} error={error} onFix={extras?.onFix} />
    </div>
  );
}

function DatasetPicker({ name, selected, onChange, extras }: { name: string; selected: string[]; onChange(vars: string[]): void; extras?: PickerExtras }) {
  const { t } = useI18n();
  const ds = useApi<CatalogDataset>(EP.catalogDataset(name));
  const directs = (ds.data?.variables ?? []).filter((v) => v.class === 'direct_identifier').map((v) => v.name);
  const onDirect = extras?.onDirect;
  useEffect(() => {
    if (ds.data) onDirect?.(name, directs);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ds.data, name]);
  const reasons = extras?.reasons[name] ?? {};
  return (
    <Loaded state={ds}>
      {(d) => (
        <fieldset className="variables">
          <legend>{t('catalog.variablesOf', { dataset: d.title ?? name })}</legend>
          {d.description ? <p className="muted">{d.description}</p> : null}
          <ul className="plain">
            {(d.variables ?? []).map((v) => {
              const id = `var-${name}-${v.name}`;
              const direct = v.class === 'direct_identifier';
              const reasonId = `reason-${name}-${v.name}`;
              const reasonError = extras?.errors[reasonId];
              return (
                <li key={v.name} className="var-pick">
                  <input
                    type="checkbox"
                    id={id}
                    checked={selected.includes(v.name)}
                    aria-describedby={`${id}-d`}
                    onChange={(e) => onChange(e.target.checked ? [...selected, v.name] : selected.filter((x) => x !== v.name))}
                  />
                  <label htmlFor={id}>
                    <code>{v.name}</code> — {v.label}
                  </label>
                  <div id={`${id}-d`} className="muted small">
                    {v.description}
                    {v.description ? ' · ' : ''}
                    {v.type}
                    {v.unit ? ` (${v.unit})` : ''}
                    {v.class ? <> · {t(`varClass.${v.class}` as MessageKey)}</> : null}
                    {direct ? <> · {t('catalog.directNote')}</> : null}
                  </div>
                  {direct && extras && selected.includes(v.name) ? (
                    <div className="reason-field">
                      <label htmlFor={reasonId}>{t('checks.reasonFor', { variable: v.name })}</label>
                      <textarea
                        id={reasonId}
                        rows={2}
                        maxLength={2000}
                        required
                        minLength={10}
                        value={reasons[v.name] ?? ''}
                        {...invalidProps(reasonId, reasonError)}
                        onChange={(e) => extras.onReasons(name, { ...reasons, [v.name]: e.target.value })}
                      />
                      <FieldErrorView id={reasonId} error={reasonError} />
                    </div>
                  ) : null}
                  {v.codeList && d.codeLists?.find((l) => l.id === v.codeList) ? <CodeListView list={d.codeLists.find((l) => l.id === v.codeList)!} /> : null}
                </li>
              );
            })}
          </ul>
          {extras ? <VariablesByName name={name} selected={selected} onChange={onChange} extras={extras} /> : null}
        </fieldset>
      )}
    </Loaded>
  );
}

export function parseManual(text: string): Selection {
  const out: Selection = {};
  for (const line of text.split('\n')) {
    const [ds, vars] = line.split(':');
    if (!ds?.trim() || !vars) continue;
    out[ds.trim()] = vars
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  }
  return out;
}

export function CatalogPicker({ value, onChange, extras }: { value: Selection; onChange(s: Selection): void; extras?: PickerExtras }) {
  const { t } = useI18n();
  const datasets = useApi<CatalogDatasetSummary[]>(EP.catalogDatasets);
  if (datasets.error?.kind === 'unavailable') {
    return (
      <div>
        <NotAvailable what={EP.catalogDatasets} />
        <label htmlFor="manual-datasets">{t('catalog.manual')}</label>
        <textarea id="manual-datasets" rows={4} aria-describedby="manual-hint" onChange={(e) => onChange(parseManual(e.target.value))} />
        <p id="manual-hint" className="hint">
          {t('catalog.manualHint')}
        </p>
      </div>
    );
  }
  return (
    <Loaded state={datasets}>
      {(list) => {
        return (
          <div>
            <fieldset>
              <legend>{t('catalog.datasets')}</legend>
              <ul className="plain">
                {list.map((d) => (
                  <li key={d.name}>
                    <label className="inline">
                      <input
                        type="checkbox"
                        checked={d.name in value}
                        data-dataset={d.name}
                        onChange={(e) => {
                          const next = { ...value };
                          if (e.target.checked) next[d.name] = [];
                          else delete next[d.name];
                          onChange(next);
                        }}
                      />{' '}
                      <strong>{d.title}</strong> <code>{d.name}</code>
                    </label>
                    {d.dataController ? <span className="muted small"> · {d.dataController}</span> : null}
                    {d.fair && typeof d.fair === 'object' && 'score' in d.fair ? (
                      <span className="muted small"> · {t('catalog.fair', { score: String(d.fair.score) })}</span>
                    ) : null}
                    {d.description ? <div className="muted small">{d.description}</div> : null}
                  </li>
                ))}
              </ul>
            </fieldset>
            {Object.keys(value).map((name) => (
              <DatasetPicker key={name} name={name} selected={value[name] ?? []} extras={extras} onChange={(vars) => onChange({ ...value, [name]: vars })} />
            ))}
          </div>
        );
      }}
    </Loaded>
  );
}
