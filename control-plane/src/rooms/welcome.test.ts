import { describe, expect, it } from 'vitest';
import type { CopyManifest } from '../data-copies/schemas.ts';
import { mdText, welcomeNotebook } from './welcome.ts';

const variable = (name: string, label: string, type: string, extra: Partial<{ unit: string; class: string }> = {}) => ({
  name,
  label,
  type,
  unit: extra.unit ?? null,
  codeList: null,
  class: extra.class ?? 'ordinary',
});

const manifest: CopyManifest = {
  kind: 'analyserom.data-copy',
  projectId: 'prj_1',
  permitId: 'pmt_1',
  permitVersion: 2,
  copyVersion: 3,
  createdAt: '2026-12-01T10:00:00.000Z',
  legalBasis: { code: 'hforsk-35', honoursOptOut: true },
  period: { from: '2015-01-01', to: '2024-12-31' },
  linkage: true,
  cohort: [],
  pseudonym: { scheme: 'aes-256-prf', column: 'person_id', keyFingerprint: 'ab' },
  datasets: [
    {
      dataset: 'population',
      sourceVersion: '2026-01',
      sourceSha256: 'x',
      rows: 100,
      persons: 100,
      droppedDirectIdentifiers: ['fnr'],
      variables: [variable('person_id', 'Project pseudonym', 'string', { class: 'indirect_identifier' }), variable('sex', 'Sex | <b>kjønn</b>', 'string')],
    },
    {
      dataset: 'prescriptions',
      sourceVersion: '2026-01',
      sourceSha256: 'y',
      rows: 250,
      persons: 80,
      droppedDirectIdentifiers: [],
      variables: [variable('ddd', 'Defined daily doses', 'double', { unit: 'DDD' })],
    },
  ],
  files: [
    { name: 'population.parquet', dataset: 'population', format: 'parquet', rows: 100, bytes: 10, sha256: 'a'.repeat(64) },
    { name: 'population.csv', dataset: 'population', format: 'csv', rows: 100, bytes: 10, sha256: 'b'.repeat(64) },
    { name: 'prescriptions.parquet', dataset: 'prescriptions', format: 'parquet', rows: 250, bytes: 10, sha256: 'c'.repeat(64) },
  ],
};

const text = (nb: ReturnType<typeof welcomeNotebook>) => nb.cells.map((c) => `${c.cell_type}: ${c.source.join('')}`);

describe('welcomeNotebook', () => {
  it('names the copy version, each file under /data with its variables, and starts with a cell reading the first parquet file', () => {
    const nb = welcomeNotebook(manifest);
    const cells = text(nb);
    expect({ nbformat: nb.nbformat, minor: nb.nbformat_minor, ids: nb.cells.map((c) => c.id), meta: nb.metadata.analyserom }).toEqual({
      nbformat: 4,
      minor: 5,
      ids: nb.cells.map((_, i) => `welcome-${i}`),
      meta: { kind: 'welcome', copyVersion: 3 },
    });
    expect(cells[0]).toContain('**data copy version 3** of project `prj_1`');
    expect(cells[0]).toContain('permit version 2');
    expect(cells.slice(1, 3)).toEqual([
      'markdown: ## A first look',
      "code: import pandas as pd\n\ndf = pd.read_parquet('/data/population.parquet')\ndf.head()",
    ]);
    expect(cells.slice(4, 6)).toEqual([
      'markdown: ## Dataset `population`\n\n- `/data/population.parquet`: parquet, 100 rows\n- `/data/population.csv`: csv, 100 rows\n\n' +
        '| Variable | Label | Type | Unit | Class |\n|---|---|---|---|---|\n' +
        '| `person_id` | Project pseudonym | string |  | indirect\\_identifier |\n| `sex` | Sex \\| &lt;b\\>kjønn&lt;/b\\> | string |  | ordinary |',
      'markdown: ## Dataset `prescriptions`\n\n- `/data/prescriptions.parquet`: parquet, 250 rows\n\n' +
        '| Variable | Label | Type | Unit | Class |\n|---|---|---|---|---|\n| `ddd` | Defined daily doses | double | DDD | ordinary |',
    ]);
    const code = nb.cells.filter((c) => c.cell_type === 'code');
    expect(code.map((c) => ({ source: c.source.join(''), outputs: c.outputs, count: c.execution_count }))).toEqual([
      { source: "import pandas as pd\n\ndf = pd.read_parquet('/data/population.parquet')\ndf.head()", outputs: [], count: null },
    ]);
    expect(cells.some((c) => c.includes("arrow::read_parquet('/data/population.parquet')"))).toBe(true);
    expect(cells.at(-1)).toContain('Nothing leaves a room but through the airlock');
  });

  it('says /data is empty when the project has no copy yet, and offers no cell that would fail', () => {
    const nb = welcomeNotebook(null);
    expect(nb.cells.filter((c) => c.cell_type === 'code')).toEqual([]);
    expect(text(nb)[0]).toContain('There is no approved data copy for this project yet');
    expect(nb.metadata.analyserom).toEqual({ kind: 'welcome', copyVersion: null });
  });

  it('escapes catalogue text so it cannot add markup, links or images', () => {
    expect(mdText('![x](http://evil/) <img src=x> *a* `b` | c\nd')).toBe('\\!\\[x\\]\\(http://evil/\\) &lt;img src=x\\> \\*a\\* \\`b\\` \\| c d');
  });
});
