/**
 * The catalogue on the API, for any logged-in user: datasets with their FAIR score, one dataset
 * with its variables and code lists, the variable explorer, and value distributions of the latest
 * stored version with every count under the disclosure threshold suppressed. Reads are audited.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { NotFoundError } from '../errors/index.ts';
import { ARROW_STREAM, sendArrow, wantsArrow, defineRoute, type RouteDef } from '../http/index.ts';
import type { Store } from '../store/index.ts';
import { CodeListSchema, NameSchema } from './model.ts';
import { DatasetDetailSchema, DatasetSummarySchema, publicVersion, VariableHitSchema, VersionDistributionSchema } from './schemas.ts';
import { fairScore } from './fair.ts';
import { searchVariables, VariableQuerySchema } from './search.ts';
import { valueDistribution } from './distribution.ts';
import { getCodeList, getDataset, loadCatalogue } from './store.ts';

export interface CatalogRouteDeps {
  store: Store;
  /** The data directory: stored versions' paths are relative to it. */
  dataDir: string;
  /** Disclosure threshold for distributions (default 10). */
  threshold?: number;
}

const datasetParams = z.object({ dataset: NameSchema });

export function catalogRoutes(deps: CatalogRouteDeps): RouteDef[] {
  const { store } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/api/catalog/datasets',
      tag: 'catalog',
      summary: 'Datasets (registers) with their FAIR score',
      action: 'catalog.list',
      access: 'authenticated',
      response: z.array(DatasetSummarySchema),
      async handler() {
        const c = await loadCatalogue(store);
        return c.datasets.map((d) => ({
          name: d.name,
          title: d.title,
          description: d.description,
          dataController: d.dataController,
          updateFrequency: d.updateFrequency,
          keywords: d.keywords,
          variables: d.variables.length,
          versions: d.versions.length,
          latestVersion: d.versions.length ? publicVersion(d.versions.at(-1)!) : null,
          fair: fairScore(d, c.codeLists),
        }));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/catalog/variables',
      tag: 'catalog',
      summary: 'The variable explorer: find variables across datasets',
      action: 'catalog.search',
      access: 'authenticated',
      query: VariableQuerySchema,
      response: z.array(VariableHitSchema),
      async handler({ query, audit }) {
        audit.details = { text: query.text, dataset: query.dataset ?? null };
        return searchVariables(await loadCatalogue(store), query);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/catalog/datasets/:dataset',
      tag: 'catalog',
      summary: 'One dataset with its variables, versions, code lists and FAIR score',
      action: 'catalog.read',
      access: 'authenticated',
      params: datasetParams,
      response: DatasetDetailSchema,
      async handler({ params, audit }) {
        audit.object = `dataset:${params.dataset}`;
        const c = await loadCatalogue(store);
        const d = c.datasets.find((x) => x.name === params.dataset);
        if (!d) throw new NotFoundError(`no dataset '${params.dataset}' in the catalogue`, { reason: 'unknown_dataset' });
        const ids = new Set(d.variables.flatMap((v) => (v.codeList ? [v.codeList] : [])));
        return { ...d, versions: d.versions.map(publicVersion), codeLists: c.codeLists.filter((l) => ids.has(l.id)), fair: fairScore(d, c.codeLists) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/catalog/code-lists/:id',
      tag: 'catalog',
      summary: 'One code list (e.g. ICD-10, ATC) with its codes and labels',
      action: 'catalog.code-list.read',
      access: 'authenticated',
      params: z.object({ id: NameSchema }),
      response: CodeListSchema,
      async handler({ params, audit }) {
        audit.object = `code-list:${params.id}`;
        return getCodeList(store, params.id);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/catalog/datasets/:dataset/variables/:variable/distribution',
      tag: 'catalog',
      summary: 'Value distribution of a variable in the latest version (counts under the threshold suppressed)',
      action: 'catalog.distribution',
      access: 'authenticated',
      params: z.object({ dataset: NameSchema, variable: NameSchema }),
      response: VersionDistributionSchema,
      alsoAnswers: { [ARROW_STREAM]: 'The cells as one Arrow record batch: value, label, count' },
      async handler(ctx) {
        const { params, audit } = ctx;
        audit.object = `dataset:${params.dataset}`;
        audit.details = { variable: params.variable };
        const d = await getDataset(store, params.dataset);
        const latest = d.versions.at(-1);
        if (!latest) throw new NotFoundError(`dataset ${params.dataset} has no stored version`, { reason: 'no_version' });
        const { codeLists } = await loadCatalogue(store);
        const dist = await valueDistribution({
          path: join(deps.dataDir, latest.path),
          dataset: d,
          variable: params.variable,
          codeLists,
          threshold: deps.threshold,
        });
        if (wantsArrow(ctx)) {
          return sendArrow(ctx, {
            value: dist.cells.map((c) => c.value),
            label: dist.cells.map((c) => c.label),
            count: dist.cells.map((c) => c.count),
          });
        }
        return { version: latest.version, ...dist };
      },
    }),
  ];
}
