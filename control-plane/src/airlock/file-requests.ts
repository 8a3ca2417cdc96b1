/**
 * The airlock's reading of the output-checks file engine (`checkFileBytes`).
 *
 * The engine reports `pass`, `manual-review`, `review` or `refused`; the airlock folds these
 * into the three statuses a request carries, with one tightening of its own:
 *   - `refused` (size, a disallowed archive, one unpacking past the limit, a scan over its
 *     time budget: `refused_budget`) → `fail`;
 *   - a national identity number or one of the project's pseudonyms found, or a CSV that is
 *     row-level data (records, not a table: `disclosure/csv-shape.ts`) → `fail`: personal
 *     identifiers and microdata leave only when reviewers approve with a written reason;
 *   - small counts, anything not checkable by machine (images, PDFs, data files) → `review`;
 *   - imports also refuse executables (code comes in as source, not as programs).
 *
 * Identity numbers next to a comma: the engine's scan skips an 11-digit run preceded by `,`
 * or followed by `,<digit>` (to spare decimal commas), which misses the commonest case, a CSV
 * or JSON field (`1,15038510190,40`). The airlock asks the engine for those findings too
 * (`fieldSeparatedIds`, run on the scan worker with the rest); a decimal comma flagged by mistake costs a
 * reviewer's reason, a missed identity number costs a person's privacy.
 *
 * Pseudonyms: the engine wants the set of the project's pseudonyms; rather than loading every
 * person id of the copy, the airlock looks up only the number tokens the file contains
 * (`pseudonymsAmong`), and hands the engine those that are pseudonyms.
 */
import { budgetRefusal, numberTokens, scanFileBytes, type FileCheckResult } from '../disclosure/index.ts';
import { DEFAULT_SCAN_BUDGET_MS, type FileRules } from '../policies/index.ts';
import type { CheckStatus } from './schemas.ts';
import type { AirlockReason } from '../errors/index.ts';

/** The finding a refused file was refused for, as the refusal's reason. */
const REFUSING = { size: 'refused_size', archive: 'refused_archive', unpack: 'refused_archive', budget: 'refused_budget' } as const satisfies Record<
  string,
  AirlockReason
>;

export type { CheckStatus } from './schemas.ts';

export interface AirlockFileCheck {
  status: CheckStatus;
  /** The engine's whole result: type, findings by line, counts, archive entries. */
  result: FileCheckResult;
  /** Set when the file cannot be accepted at all (imports refuse these at upload). */
  refusal: { reason: AirlockReason; message: string } | null;
}

export interface AirlockFileCheckOptions {
  rules: FileRules;
  /** The table threshold: CSV integers below it are small counts. */
  threshold: number;
  /** Which of the candidate numbers are pseudonyms of the project; absent: no pseudonym scan. */
  pseudonymsAmong?: (candidates: string[]) => Promise<Set<string>>;
  direction: 'export' | 'import';
}

export function worstStatus(statuses: Iterable<CheckStatus>): CheckStatus {
  let w: CheckStatus = 'pass';
  for (const s of statuses) if (s === 'fail' || (s === 'review' && w === 'pass')) w = s;
  return w;
}

/** A national id or pseudonym found in the file, or row-level data, or any of these in an entry of an archive it is. */
function findsIdentifiers(result: FileCheckResult): boolean {
  return (
    result.findings.some((f) => f.check === 'national-id' || f.check === 'pseudonym' || f.check === 'row-level') ||
    (result.entries ?? []).some(findsIdentifiers)
  );
}

export async function checkFileContent(name: string, bytes: Buffer, opts: AirlockFileCheckOptions): Promise<AirlockFileCheck> {
  let pseudonyms: Set<string> | undefined;
  const budgetMs = opts.rules.scanBudgetMs ?? DEFAULT_SCAN_BUDGET_MS;
  let overBudget = false;
  if (opts.direction === 'export' && opts.rules.scanPseudonyms && opts.pseudonymsAmong && bytes.length <= opts.rules.maxFileBytes) {
    const candidates = await numberTokens(bytes, budgetMs);
    if (candidates === null) overBudget = true;
    else pseudonyms = candidates.length ? await opts.pseudonymsAmong(candidates) : new Set();
  }
  const rules = opts.direction === 'import' ? { ...opts.rules, scanPseudonyms: false, scanSmallCounts: false } : opts.rules;
  // Candidates not found within the budget: refused like a scan over it, never passed unscanned.
  const result = overBudget
    ? budgetRefusal(name, bytes.length, budgetMs)
    : await scanFileBytes(name, bytes, { rules, tableThreshold: opts.threshold, pseudonyms, fieldSeparatedIds: true });
  let refusal: AirlockFileCheck['refusal'] = null;
  if (result.status === 'refused') {
    const first = result.findings.find((f) => f.check in REFUSING);
    refusal = first
      ? { reason: REFUSING[first.check as keyof typeof REFUSING], message: 'message' in first ? first.message : 'refused by the policy' }
      : { reason: 'refused_by_policy', message: 'refused by the policy' };
  } else if (opts.direction === 'import' && result.type.kind === 'executable') {
    refusal = { reason: 'refused_executable', message: `${result.type.mime}: executable programs are not imported` };
  }
  const identifiers = findsIdentifiers(result);
  const status: CheckStatus = refusal || identifiers ? 'fail' : result.status === 'pass' ? 'pass' : 'review';
  return { status, result, refusal };
}
