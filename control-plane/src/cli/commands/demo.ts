/**
 * `tre demo`: synthetic demo data, made locally (no server needed, no real data anywhere).
 */
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { generateRegisters, type Progress } from '../../data-copies/index.ts';
import { CliError, stringOpt, type CommandContext, type CommandGroup } from '../command.ts';

const ArgsSchema = z.object({
  rows: z.coerce.number().int().min(1000, 'at least 1000 rows').max(150_000_000),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
});

/** A one-line progress bar on a terminal; one line per finished stage otherwise. */
function progressPrinter(ctx: CommandContext): (p: Progress) => void {
  const tty = process.stderr.isTTY && !ctx.json;
  let last = '';
  return (p) => {
    const pct = p.total ? Math.min(100, Math.floor((100 * p.done) / p.total)) : 100;
    if (tty) {
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      process.stderr.write(`\r${p.stage.padEnd(18)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${p.done}/${p.total}`);
      if (pct === 100 && last !== p.stage) process.stderr.write('\n');
    } else if (pct === 100 && last !== p.stage) {
      ctx.info(`${p.stage}: ${p.done} rows`);
    }
    if (pct === 100) last = p.stage;
  };
}

export const commands: CommandGroup = {
  generate: {
    summary: 'Generate the five synthetic registers (seeded, valid identity numbers) as Parquet',
    usage: 'tre demo generate --rows N --seed S [--out DIR] [--datasets a,b] [--json]',
    options: { rows: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, datasets: { type: 'string' } },
    async run(ctx, args) {
      const parsed = ArgsSchema.safeParse({ rows: stringOpt(args, 'rows') ?? '', seed: stringOpt(args, 'seed') ?? '' });
      if (!parsed.success) throw new CliError(`${z.prettifyError(parsed.error)}\nusage: tre demo generate --rows N --seed S [--out DIR]`, 2);
      const out = resolve(stringOpt(args, 'out') ?? join(ctx.env.TRE_DATA_DIR ?? './var', 'demo-registers'));
      const datasets = stringOpt(args, 'datasets')
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      let result;
      try {
        result = await generateRegisters({ ...parsed.data, outDir: out, datasets }, progressPrinter(ctx));
      } catch (err) {
        throw new CliError((err as Error).message, 1);
      }
      const lines = result.files.map((f) => `${f.dataset.padEnd(18)} ${String(f.rows).padStart(12)} rows  ${f.path}`);
      return {
        data: result,
        text: `${lines.join('\n')}\n${result.persons} persons, seed ${result.seed}, ${result.seconds.toFixed(1)} s; manifest ${join(out, 'generated.json')}`,
      };
    },
  },
};
