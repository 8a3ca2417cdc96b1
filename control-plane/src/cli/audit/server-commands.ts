/** `tre audit export|public-key|checkpoint|query|proof`: the audit commands that ask the control plane. */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CliError, requireOpt, stringOpt, type Command, type CommandArgs } from '../command.ts';
import type { AuditPage, InclusionAnswer, PublicKeyAnswer, PublishedCheckpoint } from '../../audit/index.ts';

function qs(args: CommandArgs, names: Record<string, string>): string {
  const p = new URLSearchParams();
  for (const [opt, param] of Object.entries(names)) {
    const v = stringOpt(args, opt);
    if (v !== undefined) p.set(param, v);
  }
  return p.size ? `?${p}` : '';
}

export const exportCommand: Command = {
  summary: 'Export audit entries with their hashes (auditor)',
  usage: 'tre audit export --format jsonl|csv [--from T] [--to T] [--out FILE]',
  options: { format: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } },
  async run(ctx, args) {
    const format = stringOpt(args, 'format') ?? 'jsonl';
    if (format !== 'jsonl' && format !== 'csv') throw new CliError('--format must be jsonl or csv', 2);
    const res = await (await ctx.api()).fetch('GET', `/api/audit/export${qs(args, { format: 'format', from: 'from', to: 'to' })}`);
    const out = stringOpt(args, 'out');
    if (!out) {
      // Without --out the export itself is the output, whatever --json says: it is already machine-readable.
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), process.stdout, { end: false });
      return { data: null, raw: true };
    }
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(out));
    return { data: { file: out, format }, text: `wrote ${out}` };
  },
};

export const publicKeyCommand: Command = {
  summary: "Print the audit log's public key (PEM; --json for all encodings)",
  usage: 'tre audit public-key',
  async run(ctx) {
    const key = await (await ctx.api()).request<PublicKeyAnswer>('GET', '/api/audit/public-key');
    return { data: key, text: key.pem.trim() };
  },
};

export const checkpointCommand: Command = {
  summary: 'Print the latest signed checkpoint, or publish one now with --publish',
  usage: 'tre audit checkpoint [--publish] [--size N]',
  options: { publish: { type: 'boolean' }, size: { type: 'string' } },
  async run(ctx, args) {
    const api = await ctx.api();
    const size = stringOpt(args, 'size');
    const cp = args.values.publish
      ? await api.request<PublishedCheckpoint>('POST', '/api/audit/checkpoints')
      : await api.request<PublishedCheckpoint>('GET', size ? `/api/audit/checkpoints/${encodeURIComponent(size)}` : '/api/audit/checkpoints/latest');
    return { data: cp, text: cp.note.trimEnd() };
  },
};

export const queryCommand: Command = {
  summary: 'Search the audit log (auditor), paged',
  usage: 'tre audit query [--actor U] [--project P] [--action A|prefix.*] [--object O] [--outcome O] [--from T] [--to T] [--after SEQ] [--limit N]',
  options: {
    actor: { type: 'string' },
    project: { type: 'string' },
    action: { type: 'string' },
    object: { type: 'string' },
    outcome: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    after: { type: 'string' },
    limit: { type: 'string' },
  },
  async run(ctx, args) {
    const page = await (await ctx.api()).request<AuditPage>(
      'GET',
      `/api/audit/entries${qs(args, { actor: 'actor', project: 'project', action: 'action', object: 'object', outcome: 'outcome', from: 'from', to: 'to', after: 'after', limit: 'limit' })}`,
    );
    const lines = page.entries.map(
      (e) => `${String(e.seq).padStart(7)} ${e.time} ${e.actor.padEnd(12)} ${e.action.padEnd(26)} ${e.outcome.padEnd(9)} ${e.object}`,
    );
    if (page.next !== null) lines.push(`more: --after ${page.next}`);
    return { data: page, text: lines.join('\n') || '(no entries)' };
  },
};

export const proofCommand: Command = {
  summary: 'Fetch an inclusion proof for one entry (save it for verify-inclusion)',
  usage: 'tre audit proof --seq N [--size TREE_SIZE] [--out FILE]',
  options: { seq: { type: 'string' }, size: { type: 'string' }, out: { type: 'string' } },
  async run(ctx, args) {
    const seq = requireOpt(args, 'seq');
    const res = await (await ctx.api()).request<InclusionAnswer>(
      'GET',
      `/api/audit/proofs/inclusion?seq=${encodeURIComponent(seq)}${stringOpt(args, 'size') ? `&treeSize=${encodeURIComponent(stringOpt(args, 'size')!)}` : ''}`,
    );
    return { data: res };
  },
};
