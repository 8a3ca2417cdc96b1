/**
 * Label selectors as the API server parses them from `?labelSelector=`:
 * `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`, comma-separated (AND).
 */
export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

export function parseLabelSelector(selector: string | null | undefined): LabelMatcher {
  if (!selector) return () => true;
  const terms: LabelMatcher[] = [];
  for (const raw of splitTerms(selector)) {
    const term = raw.trim();
    if (term === '') continue;
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term))) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = new Set(list.split(',').map((v) => v.trim()));
      terms.push(op === 'in' ? (l) => l?.[key] !== undefined && values.has(l[key]!) : (l) => l?.[key] === undefined || !values.has(l[key]!));
    } else if ((m = /^([^\s!=]+)\s*!=\s*(\S*)$/.exec(term))) {
      const [, key, value] = m as unknown as [string, string, string];
      terms.push((l) => l?.[key] !== value);
    } else if ((m = /^([^\s!=]+)\s*==?\s*(\S*)$/.exec(term))) {
      const [, key, value] = m as unknown as [string, string, string];
      terms.push((l) => l?.[key] === value);
    } else if ((m = /^!\s*([^\s!=]+)$/.exec(term))) {
      const key = m[1]!;
      terms.push((l) => l?.[key] === undefined);
    } else if (/^[^\s!=(),]+$/.test(term)) {
      terms.push((l) => l?.[term] !== undefined);
    } else {
      throw new Error(`unable to parse requirement: ${term}`);
    }
  }
  return (labels) => terms.every((t) => t(labels));
}

/** Splits on commas outside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out;
}
