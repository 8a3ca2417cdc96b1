/**
 * Offline verification of a JSON Lines audit export, needing only the export, the log's public key
 * and optionally a signed checkpoint: nothing from the platform is trusted.
 *
 * Checks, reporting the FIRST failure with the 0-based index of the entry (line) where it shows:
 *  - every line is an export entry (`exportLine`), its `hash` is `entryHash` of its fields,
 *    its `seq` is the previous seq + 1 and its `prevHash` the previous entry's hash;
 *    the entry with seq 0 (the first) has the genesis prevHash; an export may start later (`--from`);
 *  - with a checkpoint: a JSON file's plain fields agree with its note (else `checkpoint-mismatch`),
 *    the note is signed by the key, the export starts at seq 0, holds at least
 *    `treeSize` entries (else `truncated` at the first missing index), and the Merkle root over the
 *    first `treeSize` entries equals the checkpoint's (else `checkpoint-root`: a checkpoint of another
 *    log or a rewritten history; it cannot be pinned to one entry).
 * What each tamper shows as: an edited field is `hash` at that entry; a deleted entry is `seq` at the
 * entry after the gap; an inserted entry is `seq` (or `link`) at the insert, or at the entry after it
 * when the insert was given a valid hash; two swapped entries are `seq` at the first of them.
 *
 * Speed: the file is split into one byte range per core, each verified by a worker thread on raw
 * bytes (export-verify-scan.ts); ranges are joined by checking seq and link across each boundary
 * and merging their Merkle compact ranges.
 */
import { availableParallelism } from 'node:os';
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { KeyObject } from 'node:crypto';
import { canonicalJson, GENESIS_HASH } from './hash.ts';
import type { AuditEntry } from '../platform/index.ts';
import { verifyCheckpoint, type Checkpoint } from './checkpoint.ts';
import { readCheckpointFile } from './checkpoint-file.ts';
import { nodeHash, EMPTY_ROOT } from './merkle.ts';
import { scanRange, type CompactNode, type LineFailureKind, type RangeResult } from './export-verify-scan.ts';

export type ExportFailureKind =
  | LineFailureKind
  | 'genesis'
  | 'truncated'
  | 'checkpoint-malformed'
  | 'checkpoint-mismatch'
  | 'checkpoint-signature'
  | 'checkpoint-origin'
  | 'checkpoint-stale'
  | 'checkpoint-partial-export'
  | 'checkpoint-root';

export interface ExportFailure {
  /** 0-based index of the entry (line) that fails; null when no single entry can be named. */
  index: number | null;
  seq: number | null;
  kind: ExportFailureKind;
  message: string;
}

export interface ExportVerification {
  ok: boolean;
  /** Entries that verified before the first failure (all of them when ok). */
  entries: number;
  firstSeq: number | null;
  lastSeq: number | null;
  lastHash: string | null;
  /** True when the export starts at seq 0; a partial export only proves its own chain. */
  startsAtGenesis: boolean;
  /** The checkpoint as signed, when one was given and its signature holds. */
  checkpoint: (Checkpoint & { rootMatches: boolean }) | null;
  failure: ExportFailure | null;
}

export interface VerifyExportOptions {
  /** Path of the JSON Lines export. */
  file: string;
  /** Needed with a checkpoint: PEM, base64 or verifier key (see `parsePublicKey`). */
  publicKey?: string | KeyObject;
  /** The checkpoint file's text: a signed note, or JSON with the note in a `note` field. */
  checkpoint?: string;
  /** Refuse a checkpoint of another log: its origin line must be this. */
  origin?: string;
  /**
   * Refuse a checkpoint older than this (ISO time): a replayed old checkpoint could otherwise
   * vouch for an export cut back to its size.
   */
  notBefore?: string;
  /** Worker threads; default one per core for files over 16 MiB, else verified in-process. */
  threads?: number;
}

/** One export line: the fields in preimage order, `details` canonical, so verification takes its fast path. */
export function exportLine(e: AuditEntry): string {
  const s = JSON.stringify;
  return `{"seq":${e.seq},"time":${s(e.time)},"actor":${s(e.actor)},"role":${s(e.role)},"action":${s(e.action)},"object":${s(e.object)},"projectId":${s(e.projectId)},"outcome":${s(e.outcome)},"reason":${s(e.reason)},"requestId":${s(e.requestId)},"clientAddress":${s(e.clientAddress)},"details":${canonicalJson(e.details ?? {})},"prevHash":${s(e.prevHash)},"hash":${s(e.hash)}}`;
}

export async function verifyExport(opts: VerifyExportOptions): Promise<ExportVerification> {
  const cp = opts.checkpoint === undefined ? undefined : readCheckpoint(opts.checkpoint, opts.publicKey);
  const treeSize = cp && 'checkpoint' in cp ? cp.checkpoint.treeSize : 0;
  const ranges = await scanFile(opts.file, treeSize, opts.threads);
  const joined = join(ranges);
  const result: ExportVerification = {
    ok: false,
    entries: joined.entries,
    firstSeq: joined.firstSeq,
    lastSeq: joined.lastSeq,
    lastHash: joined.lastHash,
    startsAtGenesis: joined.firstSeq === 0,
    checkpoint: null,
    failure: joined.failure,
  };
  if (result.failure || !cp) return { ...result, ok: !result.failure };
  if ('failure' in cp) return { ...result, failure: cp.failure };
  const c = cp.checkpoint;
  const fail = (f: ExportFailure) => ({ ...result, checkpoint: { ...c, rootMatches: false }, failure: f });
  if (opts.origin !== undefined && c.origin !== opts.origin) {
    return fail({ index: null, seq: null, kind: 'checkpoint-origin', message: `the checkpoint is of log '${c.origin}', not '${opts.origin}'` });
  }
  if (opts.notBefore !== undefined && Date.parse(c.time) < Date.parse(opts.notBefore)) {
    return fail({ index: null, seq: null, kind: 'checkpoint-stale', message: `the checkpoint was made at ${c.time}, before ${opts.notBefore}` });
  }
  if (c.treeSize > 0 && joined.entries > 0 && !result.startsAtGenesis) {
    return fail({ index: null, seq: null, kind: 'checkpoint-partial-export', message: 'a checkpoint can only be checked against an export from seq 0' });
  }
  if (joined.entries < c.treeSize) {
    return fail({
      index: joined.entries,
      seq: joined.entries,
      kind: 'truncated',
      message: `the checkpoint covers ${c.treeSize} entries; the export ends after ${joined.entries}`,
    });
  }
  const root = rootOfCompactRange(joined.nodes, c.treeSize);
  if (root !== c.rootHash) {
    return fail({
      index: null,
      seq: null,
      kind: 'checkpoint-root',
      message: `the Merkle root of the first ${c.treeSize} entries is not the checkpoint's: another log's checkpoint, or history rewritten before seq ${c.treeSize - 1}`,
    });
  }
  return { ...result, ok: true, checkpoint: { ...c, rootMatches: true } };
}

function readCheckpoint(text: string, publicKey: string | KeyObject | undefined): { checkpoint: Checkpoint } | { failure: ExportFailure } {
  const bad = (kind: ExportFailureKind, message: string) => ({ failure: { index: null, seq: null, kind, message } });
  if (publicKey === undefined) throw new RangeError('a public key is needed to check a checkpoint');
  const file = readCheckpointFile(text);
  if (!file.ok) return bad(file.kind, file.message);
  const v = verifyCheckpoint(file.note, publicKey);
  if (!v.ok) return bad(v.failure === 'malformed' ? 'checkpoint-malformed' : 'checkpoint-signature', v.message);
  return { checkpoint: v.checkpoint };
}

async function scanFile(file: string, treeSize: number, threads?: number): Promise<RangeResult[]> {
  const size = statSync(file).size;
  const n = Math.max(1, Math.floor(threads ?? (size > 16 << 20 ? availableParallelism() : 1)));
  if (n === 1) return [scanRange(file, 0, Infinity, treeSize)];
  const bounds = Array.from({ length: n + 1 }, (_, i) => (i === n ? Infinity : Math.floor((size * i) / n)));
  // Ranges 1.. go to workers; this thread takes range 0 meanwhile instead of waiting.
  const workers = bounds.slice(1, n).map(
    (start, i) =>
      new Promise<RangeResult>((resolve, reject) => {
        const w = new Worker(new URL('./export-verify-worker.ts', import.meta.url), {
          workerData: { path: file, start, end: bounds[i + 2], treeSize },
        });
        w.once('message', (r: RangeResult) => resolve(r));
        w.once('error', reject);
        w.once('exit', (code) => code !== 0 && reject(new Error(`verify worker exited with ${code}`)));
      }),
  );
  // Keep a worker's early failure from being an unhandled rejection while this thread scans.
  workers.forEach((w) => w.catch(() => undefined));
  const own = scanRange(file, 0, bounds[1] as number, treeSize);
  return [own, ...(await Promise.all(workers))];
}

interface Joined {
  entries: number;
  firstSeq: number | null;
  lastSeq: number | null;
  lastHash: string | null;
  failure: ExportFailure | null;
  nodes: CompactNode[];
}

/** Checks seq and link across range boundaries and the genesis rule; the first failure wins. */
function join(ranges: RangeResult[]): Joined {
  let entries = 0;
  let firstSeq: number | null = null;
  let last: { seq: number; hash: string } | null = null;
  const nodes: CompactNode[] = [];
  const out = (failure: ExportFailure | null): Joined => ({
    entries,
    firstSeq,
    lastSeq: last?.seq ?? null,
    lastHash: last?.hash ?? null,
    failure,
    nodes,
  });
  for (const r of ranges) {
    const f = r.first;
    if (f) {
      if (!last) {
        firstSeq = f.seq;
        if ((f.seq === 0) !== (f.prevHash === GENESIS_HASH)) {
          return out({
            index: entries,
            seq: f.seq,
            kind: 'genesis',
            message: f.seq === 0 ? 'the entry with seq 0 must have the genesis prevHash' : 'only the entry with seq 0 may have the genesis prevHash',
          });
        }
      } else if (f.seq !== last.seq + 1) {
        return out({ index: entries, seq: f.seq, kind: 'seq', message: `seq is ${f.seq}, expected ${last.seq + 1}` });
      } else if (f.prevHash !== last.hash) {
        return out({ index: entries, seq: f.seq, kind: 'link', message: 'prevHash is not the hash of the entry before' });
      }
    }
    if (r.last) last = r.last;
    if (r.failure) {
      const { local, seq, kind, message } = r.failure;
      entries += local;
      return out({ index: entries, seq, kind, message });
    }
    entries += r.count;
    nodes.push(...r.nodes);
  }
  return out(null);
}

/** The root of [0, treeSize) from compact-range nodes in leaf order (ranges concatenated). */
function rootOfCompactRange(nodes: readonly CompactNode[], treeSize: number): string {
  if (treeSize === 0) return EMPTY_ROOT.toString('hex');
  const stack: { level: number; index: number; hash: Buffer }[] = [];
  for (const n of nodes) {
    let cur: { level: number; index: number; hash: Buffer } = { level: n.level, index: n.index, hash: Buffer.from(n.hash, 'hex') };
    for (;;) {
      const top = stack[stack.length - 1];
      if (!top || cur.index % 2 !== 1 || top.level !== cur.level || top.index !== cur.index - 1) break;
      stack.pop();
      cur = { level: cur.level + 1, index: (cur.index - 1) / 2, hash: nodeHash(top.hash, cur.hash) };
    }
    stack.push(cur);
  }
  let h = stack[stack.length - 1]?.hash as Buffer;
  for (let j = stack.length - 2; j >= 0; j--) h = nodeHash((stack[j] as { hash: Buffer }).hash, h);
  return h.toString('hex');
}
