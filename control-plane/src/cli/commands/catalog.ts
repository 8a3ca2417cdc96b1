/**
 * `tre catalog`: the variable explorer and dataset descriptions (any logged-in user).
 */
import type { DatasetDetail, VariableHit } from '../../catalog/index.ts';
import { CliError, requirePositional, stringOpt, type CommandGroup } from '../command.ts';

type Hit = VariableHit;

export const commands: CommandGroup = {
  search: {
    summary: 'Find variables across datasets by words in names, labels, descriptions and code labels',
    usage: 'tre catalog search TEXT [--dataset D] [--limit N] [--json]',
    options: { dataset: { type: 'string' }, limit: { type: 'string' } },
    async run(ctx, args) {
      const text = args.positionals.join(' ');
      const q = new URLSearchParams({ text });
      const dataset = stringOpt(args, 'dataset');
      if (dataset) q.set('dataset', dataset);
      const limit = stringOpt(args, 'limit');
      if (limit) {
        if (!/^\d+$/.test(limit)) throw new CliError('--limit must be a number', 2);
        q.set('limit', limit);
      }
      const hits = await (await ctx.api()).request<Hit[]>('GET', `/api/catalog/variables?${q}`);
      const line = (h: Hit) =>
        `${`${h.dataset}.${h.name}`.padEnd(36)} ${h.type.padEnd(8)} ${h.label}${h.matchingCodes.length ? `  [${h.matchingCodes.map((c) => `${c.code} ${c.label}`).join('; ')}]` : ''}`;
      return { data: hits, text: hits.length ? hits.map(line).join('\n') : 'no variables found' };
    },
  },
  show: {
    summary: 'One dataset: description, variables, versions, code lists and FAIR score',
    usage: 'tre catalog show DATASET [--json]',
    async run(ctx, args) {
      const name = requirePositional(args, 0, 'DATASET');
      const ds = await (await ctx.api()).request<DatasetDetail>('GET', `/api/catalog/datasets/${encodeURIComponent(name)}`);
      const text = [
        `${ds.name}: ${ds.title}`,
        `data controller: ${ds.dataController}; updated ${ds.updateFrequency}; FAIR score ${ds.fair.score}/100`,
        ds.description,
        '',
        ...ds.variables.map(
          (v) =>
            `  ${v.name.padEnd(22)} ${v.type.padEnd(8)} ${v.class.padEnd(20)} ${v.label}${v.unit ? ` (${v.unit})` : ''}${v.codeList ? ` [${v.codeList}]` : ''}`,
        ),
        '',
        ds.versions.length ? `versions: ${ds.versions.map((v) => `${v.version} (${v.rowCount} rows, ${v.receivedAt})`).join(', ')}` : 'no stored version yet',
      ].join('\n');
      return { data: ds, text };
    },
  },
};
