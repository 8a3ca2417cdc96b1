/**
 * A checkpoint file as `tre audit checkpoint --json` writes it (JSON: `origin`, `treeSize`,
 * `rootHash`, `time` and the signed `note`) or the bare signed note. Only the note is signed; the
 * plain fields are what a person or a script reads. A file whose plain fields disagree with its
 * note is refused, not verified against the note alone: otherwise an edited file passes
 * verification while saying something the log's key never signed.
 */
import { parseCheckpointNote, type Checkpoint } from './checkpoint.ts';

export type CheckpointFile = { ok: true; note: string } | { ok: false; kind: 'checkpoint-malformed' | 'checkpoint-mismatch'; message: string };

const PLAIN_FIELDS = ['origin', 'treeSize', 'rootHash', 'time'] as const;

export function readCheckpointFile(text: string): CheckpointFile {
  if (!text.trimStart().startsWith('{')) return { ok: true, note: text };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, kind: 'checkpoint-malformed', message: 'checkpoint file is neither a signed note nor JSON' };
  }
  const file = (v ?? {}) as Record<string, unknown>;
  if (typeof file.note !== 'string') return { ok: false, kind: 'checkpoint-malformed', message: "checkpoint JSON has no 'note' string" };
  const signed = parseCheckpointNote(file.note);
  if (typeof signed === 'string') return { ok: false, kind: 'checkpoint-malformed', message: `malformed checkpoint: ${signed}` };
  for (const field of PLAIN_FIELDS) {
    if (!(field in file)) continue;
    if (!agrees(field, file[field], signed)) {
      return {
        ok: false,
        kind: 'checkpoint-mismatch',
        message: `the checkpoint file's ${field} (${JSON.stringify(file[field])?.slice(0, 100)}) is not what its signed note says (${JSON.stringify(signed[field])})`,
      };
    }
  }
  return { ok: true, note: file.note };
}

function agrees(field: (typeof PLAIN_FIELDS)[number], claimed: unknown, signed: Checkpoint): boolean {
  if (field === 'rootHash') return typeof claimed === 'string' && claimed === signed.rootHash;
  return claimed === signed[field];
}
