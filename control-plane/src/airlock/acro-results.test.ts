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
            summary: { suppressed: false, negative: 0, missing: 0, threshold: 1, 'p-ratio': 0, 'nk-rule': 2, zeros: 0, dof: 0 },
            cells: {
              negative: [],
              missing: [],
              threshold: [[0, 0]],
              'p-ratio': [],
              'nk-rule': [
                [0, 0],
                [1, 1],
              ],
              zeros: [],
              dof: [],
            },
          },
        },
      ],
      outcome: {
        '2024': { "('a', True)": 'threshold; nk-rule; ', "('b', None)": 'ok' },
        '2025': { "('a', True)": 'ok', "('b', None)": 'nk-rule; ' },
      },
      command: 'airlock table check {"source":{"copy":"d.parquet"},"spec":{"method":"pivot_table"}}',
      summary: 'fail; threshold: 1 cells may need suppressing; nk-rule: 2 cells may need suppressing; ',
      timestamp: '2026-06-01T12:00:00.000Z',
      comments: ['table f1'],
      exception: '',
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
    });
  });
});
