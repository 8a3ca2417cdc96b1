import { describe, expect, it } from 'vitest';
import { acroResults } from './acro-results.ts';
import type { AirlockFile } from './schemas.ts';

const none = { threshold: [], zeros: [], nk: [], 'p-ratio': [], dof: [], missing: [], negative: [] };

function file(id: string, table: AirlockFile['checks']['table'], spec: Record<string, unknown> | null): AirlockFile {
  return {
    id,
    name: `out/${id}.csv`,
    description: `table ${id}`,
    sizeBytes: 10,
    sha256: 'a'.repeat(64),
    contentType: 'csv',
    tableRequest: spec ? ({ source: { copy: 'd.parquet' }, spec } as AirlockFile['tableRequest']) : null,
    checks: {
      file: { name: `${id}.csv`, size: 10, type: { kind: 'csv', mime: 'text/csv' }, status: 'pass', findings: [], counts: {} },
      fileStatus: 'pass',
      table,
    },
    checkStatus: table?.status ?? 'review',
    stagedAt: '2026-06-01T12:00:00.000Z',
  };
}

describe('ACRO results.json', () => {
  it('a two-level table: pandas tuple keys, ACRO rule names, cells by position, nothing of the values', () => {
    const table: AirlockFile['checks']['table'] = {
      status: 'fail',
      table: {
        rowLabels: [
          ['a', true],
          ['b', null],
        ],
        colLabels: [[2024], [2025]],
        values: [
          [4, 50],
          [60, 70],
        ],
      },
      rules: {
        ...none,
        threshold: [{ row: ['a', true], col: [2024] }],
        nk: [
          { row: ['b', null], col: [2025] },
          { row: ['a', true], col: [2024] },
        ],
      },
      source: { kind: 'copy', version: 3, file: 'd.parquet' },
      match: null,
    };
    const results = acroResults([file('f1', table, { method: 'pivot_table' })], (f) => `outputs/${f.id}.csv`);
    expect(results.results.output_0).toEqual({
      uid: 'output_0',
      status: 'fail',
      type: 'table',
      properties: {
        method: 'pivot_table',
        airlock: { file: 'f1', name: 'out/f1.csv', sha256: 'a'.repeat(64), source: { kind: 'copy', version: 3, file: 'd.parquet' } },
      },
      files: [
        {
          name: 'outputs/f1.csv',
          sdc: {
            summary: {
              suppressed: false,
              MinimumThresholdCheck: 1,
              PresenceOfZeroCheck: 0,
              NKCheck: 2,
              PPercentCheck: 0,
              MinimumDoFCheck: 0,
              MissingCheck: 0,
              negative: 0,
            },
            cells: {
              MinimumThresholdCheck: [[0, 0]],
              PresenceOfZeroCheck: [],
              NKCheck: [
                [0, 0],
                [1, 1],
              ],
              PPercentCheck: [],
              MinimumDoFCheck: [],
              MissingCheck: [],
              negative: [],
            },
          },
        },
      ],
      outcome: {
        '2024': { "('a', True)": 'MinimumThresholdCheck; NKCheck; ', "('b', None)": 'ok' },
        '2025': { "('a', True)": 'ok', "('b', None)": 'NKCheck; ' },
      },
      command: 'airlock table check {"source":{"copy":"d.parquet"},"spec":{"method":"pivot_table"}}',
      summary: 'fail; MinimumThresholdCheck: 1 cells may need suppressing; NKCheck: 2 cells may need suppressing; ',
      timestamp: '2026-06-01T12:00:00.000Z',
      comments: ['table f1'],
      exception: '',
      fair: {
        check_status: {
          MinimumThresholdCheck: 'fail',
          PresenceOfZeroCheck: 'pass',
          NKCheck: 'fail',
          PPercentCheck: 'pass',
          MinimumDoFCheck: 'pass',
          MissingCheck: 'pass',
          negative: 'pass',
        },
        dependent: 'unknown',
        independent: [],
      },
    });
    expect(JSON.stringify(results)).not.toContain('50');
  });

  it('a file without a table check is a custom output, as ACRO records files it cannot check', () => {
    const results = acroResults([file('f1', null, null), file('f2', null, null)], (f) => f.id);
    expect(results.version).toBe('1.0.1');
    expect(Object.keys(results.results)).toEqual(['output_0', 'output_1']);
    expect(results.results.output_1).toEqual({
      uid: 'output_1',
      status: 'review',
      type: 'custom',
      properties: { airlock: { file: 'f2', name: 'out/f2.csv', sha256: 'a'.repeat(64), contentType: 'csv' } },
      files: [{ name: 'f2', sdc: {} }],
      outcome: {},
      command: 'custom',
      summary: 'review; file content check: pass',
      timestamp: '2026-06-01T12:00:00.000Z',
      comments: ['table f2'],
      exception: '',
      fair: { check_status: {}, dependent: 'unknown', independent: [] },
    });
  });

  it('a file made by a regression is a regression output: its dof rule under the name ACRO 1.0.1 gives it, its variables in the FAIR block', () => {
    const f = file('f1', null, null);
    f.checks.check = {
      kind: 'regression',
      source: { kind: 'copy', version: 2, file: 'd.parquet' },
      spec: { method: 'logit', dependent: 'died', independent: ['age', 'sex'], categorical: ['sex'], constant: true },
      report: { status: 'fail', rules: { dof: { value: 9, threshold: 10, passed: false } } },
      match: null,
    } as unknown as NonNullable<AirlockFile['checks']['check']>;
    const out = acroResults([f], (x) => x.id).results.output_0!;
    expect([out.type, out.properties.method, out.files[0]!.sdc, out.fair]).toEqual([
      'regression',
      'logit',
      { summary: { MinimumDoFCheck: 1 }, cells: {} },
      { check_status: { MinimumDoFCheck: 'fail' }, dependent: 'died', independent: ['age', 'sex'] },
    ]);
    expect(out.summary).toBe('fail; MinimumDoFCheck: 1; ');
  });
});
