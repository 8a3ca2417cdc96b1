/**
 * YAML parsing with positions, so that a schema error names the file, the
 * line and the key: a policy author fixes `policies/default.yaml:14
 * tables.nk.k` faster than "invalid input".
 */
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../errors/index.ts';

export interface PolicyIssue {
  file: string;
  /** 1-based line of the offending key (or of its parent when the key is missing). */
  line: number;
  column: number;
  /** Dotted key path, e.g. `tables.nk.k`; `''` for the document itself. */
  key: string;
  message: string;
}

export interface ParsedYaml {
  value: unknown;
  /** Position of a key path in the source; falls back to the nearest existing parent. */
  locate(path: ReadonlyArray<PropertyKey>): { line: number; column: number };
}

export function parseYamlWithPositions(file: string, text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const firstError = doc.errors[0];
  if (firstError) {
    const pos = firstError.linePos?.[0] ?? { line: 1, col: 1 };
    throw policyError([{ file, line: pos.line, column: pos.col, key: '', message: firstError.message.split('\n')[0] ?? 'invalid YAML' }]);
  }
  return {
    value: doc.toJS(),
    locate(path) {
      const offset = offsetOf(doc, path);
      const pos = lineCounter.linePos(offset);
      return { line: pos.line, column: pos.col };
    },
  };
}

function offsetOf(doc: Document, path: ReadonlyArray<PropertyKey>): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const segment of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
    if (!pair) break;
    offset = (pair.key as Node).range?.[0] ?? offset;
    node = pair.value;
  }
  return offset;
}

/** Maps zod issues to positioned policy issues (unknown keys point at the key itself). */
export function zodIssuesToPolicyIssues(file: string, parsed: ParsedYaml, issues: ReadonlyArray<z.core.$ZodIssue>): PolicyIssue[] {
  const out: PolicyIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const branch = issue.errors.reduce((best, e) => (e.length < best.length ? e : best));
      out.push(
        ...zodIssuesToPolicyIssues(
          file,
          parsed,
          branch.map((e) => ({ ...e, path: [...issue.path, ...e.path] })),
        ),
      );
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        out.push({ file, ...parsed.locate(path), key: path.join('.'), message: 'unknown key' });
      }
      continue;
    }
    out.push({ file, ...parsed.locate(issue.path), key: issue.path.map(String).join('.'), message: issue.message });
  }
  return out;
}

export function policyError(issues: PolicyIssue[]): InputError {
  const text = issues.map((i) => `${i.file}:${i.line}: ${i.key ? `${i.key}: ` : ''}${i.message}`).join('; ');
  const first = issues[0];
  return new InputError(`invalid policy: ${text}`, {
    reason: 'invalid_policy',
    details: { file: first?.file, line: first?.line, key: first?.key, issues },
  });
}
