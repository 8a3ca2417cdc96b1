/**
 * The variable explorer: find variables across all datasets by words in their name, label,
 * description, unit, dataset, or the labels of their codes ("diabetes" finds the ICD-10
 * diagnosis variables through "Type 2 diabetes mellitus", and names the matching codes).
 */
import { z } from 'zod';
import { type Catalogue, type VariableClass, type VariableType, VariableClassSchema, VariableTypeSchema } from './schema.ts';

export const VariableQuerySchema = z.object({
  /** Words; every word must match somewhere (case-insensitive). Empty lists everything. */
  text: z.string().max(200).default(''),
  dataset: z.string().optional(),
  type: VariableTypeSchema.optional(),
  class: VariableClassSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type VariableQuery = z.input<typeof VariableQuerySchema>;

export interface VariableHit {
  dataset: string;
  datasetTitle: string;
  dataController: string;
  name: string;
  label: string;
  description: string;
  type: VariableType;
  class: VariableClass;
  unit: string | null;
  codeList: string | null;
  /** Codes whose label matched the words (up to 10). */
  matchingCodes: { code: string; label: string }[];
  score: number;
}

export function searchVariables(catalogue: Catalogue, query: VariableQuery): VariableHit[] {
  const q = VariableQuerySchema.parse(query);
  const words = q.text.toLowerCase().split(/\s+/).filter(Boolean);
  const hits: VariableHit[] = [];
  for (const ds of catalogue.datasets) {
    if (q.dataset && ds.name !== q.dataset) continue;
    for (const v of ds.variables) {
      if (q.type && v.type !== q.type) continue;
      if (q.class && v.class !== q.class) continue;
      const list = v.codeList ? catalogue.codeLists.find((l) => l.id === v.codeList) : undefined;
      let score = 0;
      let matchingCodes: VariableHit['matchingCodes'] = [];
      let all = true;
      for (const w of words) {
        const name = v.name.toLowerCase();
        let s = 0;
        if (name === w) s = 100;
        else if (name.includes(w)) s = 50;
        else if (v.label.toLowerCase().includes(w)) s = 30;
        else if (v.description.toLowerCase().includes(w) || (v.unit ?? '').toLowerCase() === w) s = 10;
        else if (ds.name.includes(w) || ds.title.toLowerCase().includes(w) || ds.keywords.some((k) => k.toLowerCase().includes(w))) s = 5;
        const codes = list?.codes.filter((c) => c.label.toLowerCase().includes(w) || c.code.toLowerCase() === w) ?? [];
        if (codes.length) {
          s = Math.max(s, 20);
          matchingCodes = [...matchingCodes, ...codes.filter((c) => !matchingCodes.includes(c))];
        }
        if (s === 0) {
          all = false;
          break;
        }
        score += s;
      }
      if (!all) continue;
      hits.push({
        dataset: ds.name,
        datasetTitle: ds.title,
        dataController: ds.dataController,
        name: v.name,
        label: v.label,
        description: v.description,
        type: v.type,
        class: v.class,
        unit: v.unit,
        codeList: v.codeList,
        matchingCodes: matchingCodes.slice(0, 10),
        score,
      });
    }
  }
  return hits.sort((a, b) => b.score - a.score || a.dataset.localeCompare(b.dataset) || a.name.localeCompare(b.name)).slice(0, q.limit);
}
