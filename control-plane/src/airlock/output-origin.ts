/**
 * The notebook that produced an output, where the room's helper recorded one (issue 13 item 8):
 * beside `<dir>/<stem>.<ext>` the helper saves `<dir>/<stem>.check.json`, and ACRO saves
 * `<dir>/results.json` (ACRO 1.0's schema: `results.<uid>.files[].name`); either may carry
 * `notebook` (at its top level, or for ACRO per output). Both are room-written, so hostile: read
 * through `openUnder` (no link followed, at most `MAX_RECORD_BYTES`), parsed as JSON inside a
 * try, and only a short printable string is kept, shown to reviewers as text. What the room
 * claims here is a pointer for the reviewer, not evidence: nothing is decided on it.
 */
import { openUnder } from './staging.ts';
import type { FileOrigin } from './schemas.ts';

const MAX_RECORD_BYTES = 256 * 1024;
const MAX_NOTEBOOK = 300;

async function readRecord(outputs: string, rel: string): Promise<unknown> {
  try {
    const opened = await openUnder(outputs, rel, MAX_RECORD_BYTES);
    try {
      return JSON.parse((await opened.handle.readFile()).toString('utf8')) as unknown;
    } finally {
      await opened.handle.close();
    }
  } catch {
    return null;
  }
}

const notebookOf = (v: unknown): string | null => {
  const nb = v && typeof v === 'object' ? (v as { notebook?: unknown }).notebook : undefined;
  return typeof nb === 'string' && nb.length > 0 && nb.length <= MAX_NOTEBOOK && /^[^\p{Cc}]+$/u.test(nb) ? nb : null;
};

/** The notebook recorded for `rel` (a path under `/outputs`), and the record that says so; null when none does. */
export async function outputOrigin(outputs: string, rel: string): Promise<FileOrigin | null> {
  const slash = rel.lastIndexOf('/');
  const dir = slash >= 0 ? rel.slice(0, slash + 1) : '';
  const base = rel.slice(slash + 1);
  const stem = base.includes('.') ? base.slice(0, base.lastIndexOf('.')) : base;
  if (!base.endsWith('.check.json')) {
    const record = `${dir}${stem}.check.json`;
    const notebook = notebookOf(await readRecord(outputs, record));
    if (notebook) return { notebook, record };
  }
  const results = (await readRecord(outputs, `${dir}results.json`)) as { results?: unknown } | null;
  const outputsOf = results && typeof results.results === 'object' && results.results ? Object.values(results.results as Record<string, unknown>) : [];
  for (const out of outputsOf) {
    const files = out && typeof out === 'object' ? (out as { files?: unknown }).files : undefined;
    const named = Array.isArray(files) && files.some((f) => f && typeof f === 'object' && (f as { name?: unknown }).name === base);
    const notebook = named ? (notebookOf(out) ?? notebookOf(results)) : null;
    if (notebook) return { notebook, record: `${dir}results.json` };
  }
  return null;
}
