/**
 * `tre audit ...`: the audit log's tools. `verify` works offline, on an export, a public key and
 * optionally a signed checkpoint, and trusts nothing from the platform. Each command is one small
 * object below; a new command is one more entry in `commands`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  verifyExport,
  type ExportVerification,
  parsePublicKey,
  readCheckpointFile,
  verifyCheckpointConsistency,
  verifyEntryInclusion,
  type ProofCheck,
  shapeProblem,
} from '../../audit/index.ts';
import type { AuditEntry } from '../../platform/index.ts';
import { CliError, type Command, type CommandArgs, type CommandGroup } from '../command.ts';
import { checkpointCommand, exportCommand, proofCommand, publicKeyCommand, queryCommand } from '../audit/server-commands.ts';

/** Parses options with a zod schema; a bad option is a usage error (exit 2). */
function options<T extends z.ZodType>(schema: T, args: CommandArgs, usage: string): z.infer<T> {
  const r = schema.safeParse(args.values);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new CliError(`--${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}\nusage: ${usage}`, 2);
  }
  return r.data;
}

/** A file's text, or the argument itself when it names no file (a key can be given inline). */
function fileOrText(value: string): string {
  return existsSync(value) ? readFileSync(value, 'utf8') : value;
}

const verifyUsage = 'tre audit verify --file EXPORT.jsonl --public-key KEY [--checkpoint FILE [--origin LOG] [--not-before ISO-TIME]] [--threads N] [--json]';

const verify: Command = {
  summary: 'Verify an audit export offline: hashes, chain, and optionally a signed checkpoint',
  usage: verifyUsage,
  options: {
    file: { type: 'string' },
    'public-key': { type: 'string' },
    checkpoint: { type: 'string' },
    origin: { type: 'string' },
    'not-before': { type: 'string' },
    threads: { type: 'string' },
  },
  async run(_ctx, args) {
    const o = options(
      z.object({
        file: z.string().min(1, 'required'),
        'public-key': z.string().min(1, 'required'),
        checkpoint: z.string().min(1).optional(),
        origin: z.string().min(1).optional(),
        'not-before': z.iso.datetime({ offset: true }).optional(),
        threads: z.coerce.number().int().min(1).max(64).optional(),
      }),
      args,
      verifyUsage,
    );
    if (!existsSync(o.file)) throw new CliError(`no such file: ${o.file}`, 2);
    const publicKey = key(o['public-key']);
    if (o.checkpoint !== undefined && !existsSync(o.checkpoint)) throw new CliError(`no such file: ${o.checkpoint}`, 2);
    const result = await verifyExport({
      file: o.file,
      publicKey,
      ...(o.checkpoint === undefined ? {} : { checkpoint: readFileSync(o.checkpoint, 'utf8') }),
      ...(o.threads === undefined ? {} : { threads: o.threads }),
      ...(o.origin === undefined ? {} : { origin: o.origin }),
      ...(o['not-before'] === undefined ? {} : { notBefore: o['not-before'] }),
    });
    return { data: result, text: describe(result), exitCode: result.ok ? 0 : 1 };
  },
};

/** A checkpoint file as `tre audit checkpoint --json` writes it (JSON with `note`) or the bare signed note. */
function readNote(path: string): string {
  if (!existsSync(path)) throw new CliError(`no such file: ${path}`, 2);
  const file = readCheckpointFile(readFileSync(path, 'utf8'));
  if (file.ok) return file.note;
  // Plain fields that contradict the signed note fail verification (1); an unreadable file is a usage error (2).
  throw new CliError(`${path}: ${file.message}`, file.kind === 'checkpoint-mismatch' ? 1 : 2);
}

function readJsonOrText(path: string): unknown {
  if (!existsSync(path)) throw new CliError(`no such file: ${path}`, 2);
  const text = readFileSync(path, 'utf8');
  if (!text.trimStart().startsWith('{')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CliError(`${path}: not valid JSON: ${(err as Error).message}`, 2);
  }
}

function proofResult(r: ProofCheck, okText: string) {
  return r.ok ? { data: r, text: okText } : { data: r, text: `FAILED: ${r.reason}: ${r.message}`, exitCode: 1 };
}

const inclusionUsage = 'tre audit verify-inclusion --entry ENTRY.json --proof PROOF.json --checkpoint FILE --public-key KEY [--json]';

const verifyInclusionCommand: Command = {
  summary: 'Verify offline that one exported entry is in the log as of a signed checkpoint',
  usage: inclusionUsage,
  options: { entry: { type: 'string' }, proof: { type: 'string' }, checkpoint: { type: 'string' }, 'public-key': { type: 'string' } },
  async run(_ctx, args) {
    const o = options(
      z.object({ entry: z.string().min(1), proof: z.string().min(1), checkpoint: z.string().min(1), 'public-key': z.string().min(1) }),
      args,
      inclusionUsage,
    );
    const parsed = readJsonOrText(o.entry);
    const problem = shapeProblem(parsed);
    if (problem) throw new CliError(`${o.entry}: not an exported audit entry: ${problem}`, 2);
    const entry = parsed as AuditEntry;
    const r = verifyEntryInclusion({
      entry,
      proof: readJsonOrText(o.proof),
      checkpointNote: readNote(o.checkpoint),
      publicKey: key(o['public-key']),
    });
    return proofResult(r, r.ok ? `OK: entry seq ${entry.seq} is in the log of ${r.checkpoint.treeSize} entries signed at ${r.checkpoint.time}` : '');
  },
};

const consistencyUsage = 'tre audit verify-consistency --old CHECKPOINT --new CHECKPOINT --proof PROOF.json --public-key KEY [--json]';

const verifyConsistencyCommand: Command = {
  summary: 'Verify offline that a newer signed checkpoint extends an older one (nothing rewritten)',
  usage: consistencyUsage,
  options: { old: { type: 'string' }, new: { type: 'string' }, proof: { type: 'string' }, 'public-key': { type: 'string' } },
  async run(_ctx, args) {
    const o = options(
      z.object({ old: z.string().min(1), new: z.string().min(1), proof: z.string().min(1), 'public-key': z.string().min(1) }),
      args,
      consistencyUsage,
    );
    const r = verifyCheckpointConsistency({
      olderNote: readNote(o.old),
      newerNote: readNote(o.new),
      proof: readJsonOrText(o.proof),
      publicKey: key(o['public-key']),
    });
    return proofResult(r, r.ok ? `OK: the log of ${r.checkpoint.treeSize} entries extends the older checkpoint` : '');
  },
};

function key(value: string) {
  try {
    return parsePublicKey(fileOrText(value));
  } catch (err) {
    throw new CliError(`--public-key: not an Ed25519 public key (PEM, base64 or verifier key): ${(err as Error).message}`, 2);
  }
}

function describe(r: ExportVerification): string {
  const range = r.firstSeq === null ? 'no entries' : `${r.entries} entries, seq ${r.firstSeq}..${r.lastSeq}`;
  if (r.failure) {
    const f = r.failure;
    const where = f.index === null ? 'checkpoint' : `entry at index ${f.index} (line ${f.index + 1}${f.seq === null ? '' : `, seq ${f.seq}`})`;
    return `FAILED: ${where}: ${f.kind}: ${f.message}\n${r.entries} entries verified before the failure`;
  }
  const lines = [`OK: ${range}; every hash and link verified${r.startsAtGenesis ? ' from the genesis' : ' (partial export: not from seq 0)'}`];
  if (r.checkpoint) {
    lines.push(
      `checkpoint: ${r.checkpoint.origin}, tree size ${r.checkpoint.treeSize}, root ${r.checkpoint.rootHash}, time ${r.checkpoint.time}: signature and root match`,
    );
  }
  return lines.join('\n');
}

export const commands: CommandGroup = {
  verify,
  'verify-inclusion': verifyInclusionCommand,
  'verify-consistency': verifyConsistencyCommand,
  export: exportCommand,
  'public-key': publicKeyCommand,
  checkpoint: checkpointCommand,
  query: queryCommand,
  proof: proofCommand,
};
