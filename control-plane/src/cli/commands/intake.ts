/**
 * `tre intake deliver FILE --dataset D --version V (--sha256 H --rows N | --manifest FILE)`: delivers a
 * register file to the control plane's checked intake, streamed (never read whole into memory),
 * with a progress bar on stderr: the upload, then the server's checks (server-sent events).
 * The manifest is the data controller's statement, so the checksum and row count are never computed
 * here: give them, or a manifest file `{ "sha256": ..., "rowCount": ... }` (dataset and version may
 * be in it too).
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { z } from 'zod';
import { readStoredLogin } from '../api-client.ts';
import { CliError, requirePositional, stringOpt, type CommandContext, type CommandGroup } from '../command.ts';
import { trimTrailingSlashes } from '../../platform/index.ts';
import type { DeliveryAnswer, IntakeProgress } from '../../data-copies/index.ts';

const ManifestFileSchema = z.object({
  dataset: z.string().optional(),
  version: z.string().optional(),
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 in hex'),
  rowCount: z.number().int().nonnegative(),
});

function bar(ctx: CommandContext): (stage: string, done: number, total: number) => void {
  const tty = process.stderr.isTTY && !ctx.json;
  let lastStage = '';
  let lastPct = -1;
  return (stage, done, total) => {
    const pct = total ? Math.min(100, Math.floor((100 * done) / total)) : 100;
    if (stage === lastStage && pct === lastPct) return;
    if (tty) {
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      if (stage !== lastStage && lastStage) process.stderr.write('\n');
      process.stderr.write(`\r${stage.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${done}/${total}`);
    } else if (stage !== lastStage) {
      ctx.info(`${stage}...`);
    }
    lastStage = stage;
    lastPct = pct;
  };
}

export const commands: CommandGroup = {
  deliver: {
    summary: 'Deliver a register file (CSV or Parquet) with its manifest to the checked intake',
    usage: 'tre intake deliver FILE --dataset D --version V (--sha256 H --rows N | --manifest FILE) [--json]',
    options: { dataset: { type: 'string' }, version: { type: 'string' }, sha256: { type: 'string' }, rows: { type: 'string' }, manifest: { type: 'string' } },
    async run(ctx, args) {
      const file = requirePositional(args, 0, 'FILE');
      const manifestFile = stringOpt(args, 'manifest');
      let fromFile: z.infer<typeof ManifestFileSchema> | undefined;
      if (manifestFile) {
        const parsed = ManifestFileSchema.safeParse(
          JSON.parse(
            await readFile(manifestFile, 'utf8').catch(() => {
              throw new CliError(`cannot read the manifest ${manifestFile}`, 2);
            }),
          ),
        );
        if (!parsed.success) throw new CliError(`invalid manifest ${manifestFile}: ${z.prettifyError(parsed.error)}`, 2);
        fromFile = parsed.data;
      }
      const dataset = stringOpt(args, 'dataset') ?? fromFile?.dataset;
      const version = stringOpt(args, 'version') ?? fromFile?.version;
      const sha256 = stringOpt(args, 'sha256') ?? fromFile?.sha256;
      const rows = stringOpt(args, 'rows') ?? (fromFile ? String(fromFile.rowCount) : undefined);
      if (!dataset || !version) throw new CliError('--dataset and --version are required', 2);
      if (!sha256 || !rows) throw new CliError("the manifest is the data controller's statement: give --sha256 and --rows, or --manifest FILE", 2);
      if (!/^[0-9a-fA-F]{64}$/.test(sha256)) throw new CliError('--sha256 must be 64 hex digits', 2);
      if (!/^\d+$/.test(rows)) throw new CliError('--rows must be a whole number', 2);
      const size = (
        await stat(file).catch(() => {
          throw new CliError(`cannot read ${file}`, 2);
        })
      ).size;

      const stored = await readStoredLogin(ctx.env);
      const url = trimTrailingSlashes(ctx.env.TRE_URL ?? stored?.url ?? 'http://127.0.0.1:8080');
      const token = ctx.env.TRE_TOKEN ?? stored?.token;
      const show = bar(ctx);
      let sent = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          sent += chunk.length;
          show('upload', sent, size);
          cb(null, chunk);
        },
      });
      const q = new URLSearchParams({ dataset, version, sha256: sha256.toLowerCase(), rows, name: basename(file) });
      let res: Response;
      try {
        res = await fetch(`${url}/api/intake/deliveries?${q}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/octet-stream',
            'content-length': String(size),
            accept: 'text/event-stream',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: Readable.toWeb(createReadStream(file, { highWaterMark: 1 << 20 }).pipe(counter)) as ReadableStream,
          duplex: 'half',
        } as RequestInit);
      } catch (err) {
        throw new CliError(`cannot reach the control plane at ${url}: ${(err as Error).message}`);
      }
      if (!res.ok) {
        const text = await res.text();
        let problem: { detail?: string } | undefined;
        try {
          problem = JSON.parse(text) as { detail?: string };
        } catch {
          problem = undefined;
        }
        throw new CliError(`${res.status} ${problem?.detail ?? text}`, 1, problem);
      }
      let result: DeliveryAnswer | undefined;
      let failure: { detail?: string; errors?: { row: number | null; column: string | null; reason: string }[] } | undefined;
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = frame
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('\n');
          if (!data) continue;
          const body: unknown = JSON.parse(data);
          if (event === 'progress') {
            const p = body as IntakeProgress;
            show(p.stage, p.done, p.total);
          } else if (event === 'result') result = body as DeliveryAnswer;
          else if (event === 'error') failure = body as typeof failure;
        }
      }
      if (process.stderr.isTTY && !ctx.json) process.stderr.write('\n');
      if (failure) {
        const lines = (failure.errors ?? []).map((e) => `  ${e.row !== null ? `row ${e.row}` : 'file'}${e.column ? `, column ${e.column}` : ''}: ${e.reason}`);
        return { data: failure, text: [`delivery rejected: ${failure.detail ?? ''}`, ...lines].join('\n'), exitCode: 1 };
      }
      if (!result) throw new CliError('the control plane ended the stream without a result');
      return { data: result, text: `${result.dataset} version ${result.version}: ${result.rowCount} rows stored (parquet sha256 ${result.sha256})` };
    },
  },
};
