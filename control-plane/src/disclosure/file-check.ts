/**
 * `checkFile`: what the airlock knows about one output file before a person
 * looks at it. Statuses, from worst:
 * - `refused`: over the size limit, an archive the policy does not allow, or
 *   one that unpacks past the limit; it cannot be released;
 * - `review`: a scan found something (identity numbers, pseudonyms, small counts, a CSV that is
 *   row-level data: `csv-shape.ts`);
 * - `manual-review`: not checkable by machine (images, PDFs, data and other
 *   binary files, notebooks with image outputs): a reviewer must look;
 * - `pass`: checkable text in which the scans found nothing.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { FileRules } from '../policies/index.ts';
import { unpack } from './archive.ts';
import { addFieldSeparatedIds } from './field-ids.ts';
import type { FileCheckResult, FileFinding, FileStatus } from './file-result.ts';
import { decodeText, detectType } from './file-type.ts';
import { scanText } from './text-scan.ts';

export type { FileCheckResult, FileFinding } from './file-result.ts';

export interface FileCheckOptions {
  rules: FileRules;
  /** The table threshold: CSV integers below it are reported as small counts. */
  tableThreshold: number;
  /** The project's pseudonyms (tokens of letters, digits, `_` and `-`). */
  pseudonyms?: ReadonlySet<string>;
  /** Also report identity numbers between commas (a CSV or JSON field): see `field-ids.ts`. */
  fieldSeparatedIds?: boolean;
}

const ORDER: FileStatus[] = ['pass', 'manual-review', 'review', 'refused'];
const worse = (a: FileStatus, b: FileStatus): FileStatus => (ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b);

/** Checks a file on disk; a file over the size limit is refused without being read. */
export async function checkFile(path: string, opts: FileCheckOptions, name = basename(path)): Promise<FileCheckResult> {
  const { size } = await stat(path);
  if (size > opts.rules.maxFileBytes) {
    return {
      name,
      size,
      type: { kind: 'binary', mime: 'application/octet-stream' },
      status: 'refused',
      findings: [{ check: 'size', message: `${size} bytes is over the limit of ${opts.rules.maxFileBytes}` }],
      counts: {},
    };
  }
  return checkFileBytes(name, await readFile(path), opts);
}

export function checkFileBytes(name: string, bytes: Buffer, opts: FileCheckOptions): FileCheckResult {
  const result = checkBytes(name, bytes, opts, opts.rules.maxUnpackedBytes, 0);
  if (opts.fieldSeparatedIds && opts.rules.scanNationalIds && result.status !== 'refused' && !result.entries) addFieldSeparatedIds(result, bytes);
  return result;
}

function checkBytes(name: string, bytes: Buffer, opts: FileCheckOptions, budget: number, depth: number): FileCheckResult {
  const text = decodeText(bytes);
  const type = detectType(bytes, text);
  const result: FileCheckResult = {
    name,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    type,
    status: 'pass',
    findings: [],
    counts: {},
  };
  const flag = (status: FileStatus, finding: FileFinding) => {
    result.status = worse(result.status, status);
    result.findings.push(finding);
  };
  if (bytes.length > opts.rules.maxFileBytes) {
    flag('refused', { check: 'size', message: `${bytes.length} bytes is over the limit of ${opts.rules.maxFileBytes}` });
    return result;
  }
  if (type.kind === 'archive' || type.kind === 'compressed') {
    if (!opts.rules.allowArchives) {
      flag('refused', { check: 'archive', message: `${type.mime}: archives and compressed files are not allowed by the policy` });
      return result;
    }
    const unpacked =
      depth >= 2 ? { ok: false as const, reason: 'unsupported' as const, message: 'archives nested more than twice' } : unpack(type.mime, name, bytes, budget);
    if (!unpacked.ok) {
      flag(unpacked.reason === 'over_limit' ? 'refused' : 'manual-review', {
        check: unpacked.reason === 'over_limit' ? 'unpack' : 'uncheckable',
        message: unpacked.message,
      });
      return result;
    }
    let left = budget;
    result.entries = unpacked.entries.map((e) => {
      const entry = checkBytes(`${name}/${e.name}`, e.bytes, opts, left, depth + 1);
      left -= e.bytes.length;
      return entry;
    });
    for (const e of result.entries) result.status = worse(result.status, e.status);
    return result;
  }
  if (text === null || type.kind === 'image' || type.kind === 'pdf') {
    flag('manual-review', { check: 'uncheckable', message: `${type.mime} cannot be checked by machine` });
    if (text === null) return result;
  }
  const scan = scanText(text, {
    nationalIds: opts.rules.scanNationalIds,
    pseudonyms: opts.rules.scanPseudonyms ? opts.pseudonyms : undefined,
    smallCountThreshold: opts.rules.scanSmallCounts ? opts.tableThreshold : null,
    csv: type.kind === 'csv',
  });
  result.counts = scan.counts;
  for (const f of scan.findings) flag('review', f);
  if (type.kind === 'notebook') {
    const images = notebookImages(text);
    if (images > 0) flag('manual-review', { check: 'uncheckable', message: `${images} image output(s) in the notebook` });
  }
  return result;
}

/** The request-wide size limit: a finding when the files of one request together exceed it. */
export function checkRequestSize(sizes: readonly number[], rules: FileRules): FileFinding | null {
  const total = sizes.reduce((a, b) => a + b, 0);
  return total > rules.maxRequestBytes ? { check: 'size', message: `the request's ${total} bytes are over the limit of ${rules.maxRequestBytes}` } : null;
}

function notebookImages(text: string): number {
  const nb = JSON.parse(text) as { cells: Array<{ outputs?: Array<{ data?: Record<string, unknown> }> }> };
  let n = 0;
  for (const cell of nb.cells) {
    for (const out of cell.outputs ?? []) if (Object.keys(out.data ?? {}).some((k) => k.startsWith('image/'))) n++;
  }
  return n;
}
