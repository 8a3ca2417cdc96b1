/**
 * `tre exports`: the export airlock from a terminal. Requests name files under the
 * requester's `/outputs`; reviewers decide; the requester or project lead downloads approved
 * files, checked here against the sha256 the airlock recorded at request time.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { CliError, requireOpt, requirePositional, stringOpt, type CommandArgs, type CommandGroup } from '../command.ts';

import {
  verifyReleaseRecord,
  type RecordVerification,
  type RequestDetail as Detail,
  type RequestSummary as Summary,
  type ReviewAnswer,
} from '../../airlock/index.ts';
import { parsePublicKey } from '../../audit/index.ts';

const TableSchema = z.strictObject({
  source: z.union([z.object({ copy: z.string() }), z.object({ output: z.string() })]),
  spec: z.record(z.string(), z.unknown()),
});
const RequestFileSchema = z.object({ path: z.string().min(1), description: z.string().min(1), table: TableSchema.optional() });
const RequestFileBody = z.object({ purpose: z.string().min(1).optional(), files: z.array(RequestFileSchema).min(1) });

const list = (v: CommandArgs['values'][string]): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String));
const enc = encodeURIComponent;

/**
 * Files from `--file PATH` (repeated) with `--describe TEXT` (one per file, in order) and
 * `--table PATH=SPEC.json` (SPEC.json: `{"source": {...}, "spec": {...}}`), or from `--body FILE.json`.
 */
async function requestBody(args: CommandArgs, purposeRequired: boolean): Promise<Record<string, unknown>> {
  const bodyFile = stringOpt(args, 'body');
  if (bodyFile) {
    const parsed = RequestFileBody.safeParse(JSON.parse(await readFile(bodyFile, 'utf8')));
    if (!parsed.success) throw new CliError(`${bodyFile}: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`, 2);
    return parsed.data;
  }
  const paths = list(args.values.file);
  const descriptions = list(args.values.describe);
  if (paths.length === 0) throw new CliError('name at least one --file PATH (under /outputs)', 2);
  if (descriptions.length !== paths.length) throw new CliError('give one --describe TEXT per --file, in the same order', 2);
  const tables = new Map<string, unknown>();
  for (const t of list(args.values.table)) {
    const at = t.indexOf('=');
    if (at < 1) throw new CliError(`--table ${t}: expected PATH=SPEC.json`, 2);
    const parsed = TableSchema.safeParse(JSON.parse(await readFile(t.slice(at + 1), 'utf8')));
    if (!parsed.success) throw new CliError(`--table ${t}: expected {"source": {"copy"|"output": ...}, "spec": {...}}`, 2);
    tables.set(t.slice(0, at), parsed.data);
  }
  for (const p of tables.keys()) if (!paths.includes(p)) throw new CliError(`--table names '${p}', which is not a --file`, 2);
  const purpose = purposeRequired ? requireOpt(args, 'purpose') : stringOpt(args, 'purpose');
  return {
    ...(purpose ? { purpose } : {}),
    files: paths.map((path, i) => ({ path, description: descriptions[i]!, ...(tables.has(path) ? { table: tables.get(path) } : {}) })),
  };
}

function summaryLine(r: Summary): string {
  return `${r.id}  ${r.status.padEnd(9)} checks:${r.checksStatus.padEnd(6)} reviews:${r.reviewsIn}/${r.approvalsRequired}${r.decidedByMe ? ' (decided by you)' : ''}  v${r.version}  ${r.projectId}  by ${r.requestedBy}`;
}

function detailText(d: Detail): string {
  const lines = [
    `${d.id}  ${d.status}  (version ${d.version}${d.previousId ? `, replaces ${d.previousId}` : ''}${d.nextId ? `, replaced by ${d.nextId}` : ''})`,
    `project ${d.projectId}, requested by ${d.requestedBy}: ${d.purpose}`,
    `checks: ${d.checksStatus}; approvals required: ${d.approvalsRequired}`,
    'files:',
    ...d.files.map(
      (f) =>
        `  ${f.id}  ${f.checkStatus.padEnd(6)} ${f.contentType.padEnd(8)} ${String(f.sizeBytes).padStart(9)} B  ${f.name}  sha256:${f.sha256.slice(0, 16)}…  ${f.description}`,
    ),
    'history:',
    ...d.events.map((e) => `  ${e.at}  ${e.actor.padEnd(10)} ${e.event}${e.reason ? `: ${e.reason}` : ''}`),
  ];
  return lines.join('\n');
}

const requestOptions = {
  file: { type: 'string', multiple: true },
  describe: { type: 'string', multiple: true },
  table: { type: 'string', multiple: true },
  purpose: { type: 'string' },
  body: { type: 'string' },
} as const;

export const commands: CommandGroup = {
  request: {
    summary: 'Ask to export files from your /outputs (staged with their sha256, checked, then reviewed)',
    usage: 'tre exports request PROJECT --purpose TEXT --file PATH --describe TEXT [--file ... --describe ...] [--table PATH=SPEC.json] | --body REQUEST.json',
    options: requestOptions,
    async run(ctx, args) {
      const project = requirePositional(args, 0, 'PROJECT');
      const d = await (await ctx.api()).request<Detail>('POST', `/api/projects/${enc(project)}/exports`, await requestBody(args, !stringOpt(args, 'body')));
      return { data: d, text: detailText(d) };
    },
  },
  resubmit: {
    summary: 'A new version of a returned or withdrawn export request',
    usage: 'tre exports resubmit EXPORT --file PATH --describe TEXT [...] [--purpose TEXT] [--table PATH=SPEC.json] | --body REQUEST.json',
    options: requestOptions,
    async run(ctx, args) {
      const id = requirePositional(args, 0, 'EXPORT');
      const d = await (await ctx.api()).request<Detail>('POST', `/api/exports/${enc(id)}/resubmit`, await requestBody(args, false));
      return { data: d, text: detailText(d) };
    },
  },
  list: {
    summary: "A project's export requests, or without PROJECT the review queue (access administrators)",
    usage: 'tre exports list [PROJECT] [--status in_review|approved|rejected|returned|withdrawn]',
    options: { status: { type: 'string' } },
    async run(ctx, args) {
      const project = args.positionals[0];
      const status = stringOpt(args, 'status');
      const path = project
        ? `/api/projects/${enc(project)}/exports${status ? `?status=${enc(status)}` : ''}`
        : `/api/exports?status=${enc(status ?? 'in_review')}`;
      const rows = await (await ctx.api()).request<Summary[]>('GET', path);
      return { data: rows, text: rows.map(summaryLine).join('\n') || '(no export requests)' };
    },
  },
  show: {
    summary: 'An export request: files, checks cell by cell (--json), reviews as far as you may see them, history',
    usage: 'tre exports show EXPORT',
    async run(ctx, args) {
      const d = await (await ctx.api()).request<Detail>('GET', `/api/exports/${enc(requirePositional(args, 0, 'EXPORT'))}`);
      return { data: d, text: detailText(d) };
    },
  },
  review: {
    summary: 'Decide on an export request (access administrator, not a project member); a reason is required to reject, return, or approve over a failed check',
    usage: 'tre exports review EXPORT --decision approve|reject|return [--reason TEXT]',
    options: { decision: { type: 'string' }, reason: { type: 'string' } },
    async run(ctx, args) {
      const id = requirePositional(args, 0, 'EXPORT');
      const decision = requireOpt(args, 'decision');
      if (!['approve', 'reject', 'return'].includes(decision)) throw new CliError('--decision must be approve, reject or return', 2);
      const reason = stringOpt(args, 'reason');
      const out = await (await ctx.api()).request<ReviewAnswer>('POST', `/api/exports/${enc(id)}/reviews`, { decision, ...(reason ? { reason } : {}) });
      return { data: out, text: out.decided ? `${id}: decided, ${out.status}` : `${id}: your decision is recorded (sealed until the other reviewers decide)` };
    },
  },
  withdraw: {
    summary: 'Withdraw your export request',
    usage: 'tre exports withdraw EXPORT [--reason TEXT]',
    options: { reason: { type: 'string' } },
    async run(ctx, args) {
      const id = requirePositional(args, 0, 'EXPORT');
      const reason = stringOpt(args, 'reason');
      const d = await (await ctx.api()).request<Detail>('POST', `/api/exports/${enc(id)}/withdraw`, reason ? { reason } : {});
      return { data: d, text: `${id}: ${d.status}` };
    },
  },
  download: {
    summary: 'Download the files of an approved export (requester or project lead), verified against their sha256',
    usage: 'tre exports download EXPORT [--file FILE-ID] [--out DIR]',
    options: { file: { type: 'string' }, out: { type: 'string' } },
    async run(ctx, args) {
      const id = requirePositional(args, 0, 'EXPORT');
      const api = await ctx.api();
      const detail = await api.request<Detail>('GET', `/api/exports/${enc(id)}`);
      const only = stringOpt(args, 'file');
      const files = only ? detail.files.filter((f) => f.id === only) : detail.files;
      if (files.length === 0) throw new CliError(only ? `the export has no file ${only}` : 'the export has no files');
      const out = stringOpt(args, 'out') ?? '.';
      await mkdir(out, { recursive: true });
      const saved: Array<{ id: string; path: string; sha256: string; bytes: number }> = [];
      for (const f of files) {
        const res = await api.fetch('GET', `/api/exports/${enc(id)}/files/${enc(f.id)}/download`);
        const bytes = Buffer.from(await res.arrayBuffer());
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        if (sha256 !== f.sha256) throw new CliError(`${f.id} (${f.name}): received bytes hash to ${sha256}, not the staged ${f.sha256}; not saved`);
        const path = join(out, files.filter((g) => basename(g.name) === basename(f.name)).length > 1 ? `${f.id}-${basename(f.name)}` : basename(f.name));
        await writeFile(path, bytes, { flag: 'wx' });
        saved.push({ id: f.id, path, sha256, bytes: bytes.length });
        ctx.info(`saved ${path} (${bytes.length} bytes, sha256 verified)`);
      }
      return { data: saved, text: saved.map((s) => `${s.path}  sha256:${s.sha256}`).join('\n') };
    },
  },
  record: {
    summary: "Download an approved export's release record (Five Safes RO-Crate in a BagIt bag, with its audit entry and inclusion proof)",
    usage: 'tre exports record EXPORT --out FILE',
    options: { out: { type: 'string' } },
    async run(ctx, args) {
      const id = requirePositional(args, 0, 'EXPORT');
      const out = requireOpt(args, 'out');
      const res = await (await ctx.api()).fetch('GET', `/api/exports/${enc(id)}/record`);
      const bytes = Buffer.from(await res.arrayBuffer());
      await writeFile(out, bytes, { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'EEXIST' ? new CliError(`${out} exists; not overwritten`) : err;
      });
      const digest = res.headers.get('x-record-sha512');
      ctx.info(`saved ${out} (${bytes.length} bytes); verify it with: tre exports verify-record ${out} --public-key KEY`);
      return { data: { export: id, path: out, bytes: bytes.length, digest }, text: `${out}  sha-512 digest ${digest}` };
    },
  },
  'verify-record': {
    summary: "Verify a release record offline: the bag's manifests, its digest, the audit entry naming it, its inclusion proof and the checkpoint signature",
    usage: 'tre exports verify-record FILE --public-key KEY [--json]   (exit 0 verified, 1 failed, 2 usage)',
    options: { 'public-key': { type: 'string' } },
    async run(_ctx, args) {
      const file = requirePositional(args, 0, 'FILE');
      const keyArg = requireOpt(args, 'public-key');
      if (!existsSync(file)) throw new CliError(`no such file: ${file}`, 2);
      let key;
      try {
        key = parsePublicKey(existsSync(keyArg) ? readFileSync(keyArg, 'utf8') : keyArg);
      } catch (err) {
        throw new CliError(`--public-key: ${(err as Error).message}`, 2);
      }
      const result = verifyReleaseRecord(readFileSync(file), key);
      return { data: result, text: recordText(result), exitCode: result.ok ? 0 : 1 };
    },
  },
};

function recordText(r: RecordVerification): string {
  if (!r.ok) return `FAILED: ${r.failure?.check}: ${r.failure?.message}`;
  return [
    `OK: release record of ${r.exportId}`,
    `  sha-512 digest ${r.digest}`,
    `  ${r.files.length} payload files match the bag's manifests`,
    `  audit entry seq ${r.auditSeq} names the digest; it is in the log of ${r.checkpoint?.treeSize} entries signed at ${r.checkpoint?.time} (${r.checkpoint?.origin})`,
  ].join('\n');
}
