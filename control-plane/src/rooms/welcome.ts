/**
 * The welcome notebook a room opens on (`~/welcome.ipynb`): made from the data copy's manifest
 * (`/data/manifest.json`, which the copy wrote from the catalogue) so a researcher sees at once
 * which copy version they have, a first cell that reads a file with pandas, each dataset's files
 * under `/data` with its variables (name, label, type, unit, class), where results go and how they leave
 * (only through the airlock). Pure: the writer is `welcome-write.ts`.
 *
 * Where the issue is silent, this follows OpenSAFELY's research template (a project starts from a
 * ready skeleton whose README says where code, data and outputs go). It is rewritten at every room
 * start, so it always describes the copy mounted now, and says so (work is saved under another name).
 *
 * Catalogue text is put into Markdown escaped (table cells: `|`, HTML and emphasis characters),
 * so a label cannot add markup, links or images; code cells carry only file names the manifest
 * schema restricts to `[a-z0-9_]+.(parquet|csv)`.
 */
import type { CopyManifest } from '../data-copies/schemas.ts';
import { ROOM_PATHS } from './drivers/types.ts';

export const WELCOME_NAME = 'welcome.ipynb';

interface Cell {
  cell_type: 'markdown' | 'code';
  metadata: Record<string, never>;
  source: string[];
  execution_count?: null;
  outputs?: [];
}

/** nbformat 4.5: each cell needs an id. */
type NotebookCell = Cell & { id: string };

export interface WelcomeNotebook {
  nbformat: 4;
  nbformat_minor: 5;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
}

/** Markdown text with every character that could make markup shown as itself. */
export function mdText(s: string): string {
  return s
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[\\`*_{}[\]()#+!|~>-]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;');
}

/** A code span: backslashes are not escapes inside one, so only what could end it is dropped. */
export const mdCode = (s: string) => `\`${s.replace(/[`|\r\n]/g, '')}\``;

const lines = (text: string) => text.split('\n').map((l, i, all) => (i < all.length - 1 ? `${l}\n` : l));
const md = (text: string): Cell => ({ cell_type: 'markdown', metadata: {}, source: lines(text) });
const code = (text: string): Cell => ({ cell_type: 'code', metadata: {}, source: lines(text), execution_count: null, outputs: [] });

function reader(file: { name: string; format: 'parquet' | 'csv' }): string {
  const path = `${ROOM_PATHS.data}/${file.name}`;
  return file.format === 'parquet' ? `pd.read_parquet('${path}')` : `pd.read_csv('${path}')`;
}

function intro(m: CopyManifest | null): string {
  const head = ['# Welcome to your room', ''];
  if (!m) {
    return [
      ...head,
      `There is no approved data copy for this project yet, so \`${ROOM_PATHS.data}\` is empty.`,
      'Once the permit’s copy is made, the next start of the room mounts it and this notebook lists its files.',
    ].join('\n');
  }
  return [
    ...head,
    `This room has **data copy version ${m.copyVersion}** of project ${mdCode(m.projectId)},` +
      ` made ${mdText(m.createdAt.slice(0, 10))} under permit version ${m.permitVersion}` +
      ` (data period ${mdText(m.period.from)} to ${mdText(m.period.to)}).`,
    '',
    `- \`${ROOM_PATHS.data}\`: the copy, read-only. Persons are identified by the project pseudonym \`${m.pseudonym.column}\`.`,
    `- \`${ROOM_PATHS.outputs}\`: results you want to take out. They leave only through the airlock (below).`,
    `- \`${ROOM_PATHS.imports}\`: files brought in for you through the airlock, read-only.`,
    `- \`${ROOM_PATHS.home}\` (this folder): your own work. It is kept when the room stops.`,
    '',
    'The file browser shows the three folders as `data`, `outputs` and `imports`.',
    'This notebook is written anew at every start of the room: save your own work under another name.',
  ].join('\n');
}

/** One dataset: its files under `/data` and its variables as the catalogue describes them. */
function datasetCell(m: CopyManifest, dataset: string, files: CopyManifest['files']): string {
  const ds = m.datasets.find((d) => d.dataset === dataset);
  const out = [`## Dataset ${mdCode(dataset)}`, ''];
  for (const f of files) out.push(`- \`${ROOM_PATHS.data}/${f.name}\`: ${f.format}, ${f.rows} rows`);
  if (ds?.variables.length) {
    out.push('', '| Variable | Label | Type | Unit | Class |', '|---|---|---|---|---|');
    for (const v of ds.variables) {
      out.push(`| ${mdCode(v.name)} | ${mdText(v.label)} | ${mdText(v.type)} | ${mdText(v.unit ?? '')} | ${mdText(v.class)} |`);
    }
  }
  return out.join('\n');
}

const AIRLOCK = [
  '## Taking results out: the airlock',
  '',
  `Nothing leaves a room but through the airlock. Save a result under \`${ROOM_PATHS.outputs}\`, check it, then ask for its export`,
  'on the project page (Outputs); an output checker reviews it against the small-count rules before it is released.',
  '',
  '```python',
  'from acro import ACRO  # the statistical disclosure checks, as in ACRO',
  'acro = ACRO()',
  '```',
  '',
  `Downloads, "save as" to your computer and exports to other formats are switched off in the room.`,
].join('\n');

/** The notebook for the copy described by `manifest` (null: the project has no copy yet). */
export function welcomeNotebook(manifest: CopyManifest | null): WelcomeNotebook {
  const cells: Cell[] = [md(intro(manifest))];
  if (manifest) {
    const first = manifest.files.find((f) => f.format === 'parquet') ?? manifest.files[0];
    if (first) {
      // The cell first, where it is seen without scrolling; the variables follow.
      cells.push(md('## A first look'), code(['import pandas as pd', '', `df = ${reader(first)}`, 'df.head()'].join('\n')));
      const r = first.format === 'parquet' ? `arrow::read_parquet('${ROOM_PATHS.data}/${first.name}')` : `read.csv('${ROOM_PATHS.data}/${first.name}')`;
      cells.push(md(['In an R notebook (kernel R):', '', '```r', `df <- ${r}`, 'head(df)', '```'].join('\n')));
    }
    const byDataset = new Map<string, CopyManifest['files']>();
    for (const f of manifest.files) byDataset.set(f.dataset, [...(byDataset.get(f.dataset) ?? []), f]);
    for (const [dataset, files] of byDataset) cells.push(md(datasetCell(manifest, dataset, files)));
  }
  cells.push(md(AIRLOCK));
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' },
      language_info: { name: 'python' },
      analyserom: { kind: 'welcome', copyVersion: manifest?.copyVersion ?? null },
    },
    cells: cells.map((c, i) => ({ id: `welcome-${i}`, ...c })),
  };
}
