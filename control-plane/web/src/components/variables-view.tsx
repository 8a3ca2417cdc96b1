/** The permitted variables of each dataset, described from the catalogue. */
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { EP } from '../lib/endpoints.ts';
import type { CatalogDataset, Permit } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { Loaded } from './status.tsx';

function DatasetVariables({ dataset, variables }: { dataset: string; variables: string[] }) {
  const { t } = useI18n();
  const ds = useApi<CatalogDataset>(EP.catalogDataset(dataset));
  return (
    <div>
      <h3>
        {ds.data?.title ?? dataset} <code>{dataset}</code>
        {ds.data?.fair ? <span className="muted small"> · {t('catalog.fair', { score: String(ds.data.fair.score) })}</span> : null}
      </h3>
      <Loaded state={ds}>
        {(d) => (
          <table className="data">
            <thead>
              <tr>
                <th scope="col">{t('var.name')}</th>
                <th scope="col">{t('var.label')}</th>
                <th scope="col">{t('var.type')}</th>
                <th scope="col">{t('var.class')}</th>
                <th scope="col">{t('var.codeList')}</th>
              </tr>
            </thead>
            <tbody>
              {(d.variables ?? [])
                .filter((v) => variables.includes(v.name))
                .map((v) => (
                  <tr key={v.name}>
                    <td>
                      <code>{v.name}</code>
                    </td>
                    <td>
                      {v.label}
                      {v.description ? (
                        <>
                          <br />
                          <span className="muted">{v.description}</span>
                        </>
                      ) : null}
                    </td>
                    <td>
                      {v.type}
                      {v.unit ? ` (${v.unit})` : ''}
                    </td>
                    <td>{v.class ? t(`varClass.${v.class}` as MessageKey) : ''}</td>
                    <td>{v.codeList ?? ''}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </div>
  );
}

export function VariablesView({ permit }: { permit: Permit }) {
  return (
    <>
      {permit.datasets.map((d) => (
        <DatasetVariables key={d.dataset} dataset={d.dataset} variables={d.variables} />
      ))}
    </>
  );
}
