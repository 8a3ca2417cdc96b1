import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { EP } from '../lib/endpoints.ts';
import type { CatalogDataset, CatalogDatasetSummary, CodeList } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { Loaded, NotAvailable } from './status.tsx';

export type Selection = Record<string, string[]>;

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

function DatasetPicker({ name, selected, onChange }: { name: string; selected: string[]; onChange(vars: string[]): void }) {
  const { t } = useI18n();
  const ds = useApi<CatalogDataset>(EP.catalogDataset(name));
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
                  {v.codeList && d.codeLists?.find((l) => l.id === v.codeList) ? <CodeListView list={d.codeLists.find((l) => l.id === v.codeList)!} /> : null}
                </li>
              );
            })}
          </ul>
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

export function CatalogPicker({ value, onChange }: { value: Selection; onChange(s: Selection): void }) {
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
              <DatasetPicker key={name} name={name} selected={value[name] ?? []} onChange={(vars) => onChange({ ...value, [name]: vars })} />
            ))}
          </div>
        );
      }}
    </Loaded>
  );
}
