/**
 * Inputs built to make a backtracking regular-expression engine blow up, from the pattern's
 * own text: each literal run of the pattern (or nothing) as prefix, then a character or a
 * pair of literal runs pumped to 100 kB, with and without a final character that matches
 * nothing. Generated where they are used (the runner worker), one pattern at a time.
 */
const SIZE = 100_000;

/** The pattern's literal runs: the text between metacharacters, escapes resolved for the simple ones. */
export function literalRuns(source: string): string[] {
  const runs: string[] = [];
  let cur = '';
  const flush = () => {
    if (cur) runs.push(cur);
    cur = '';
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1] ?? '';
      i++;
      if (/[\\/.*+?()[\]{}|^$-]/.test(n)) cur += n;
      else if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 1, i + 5))) {
        cur += String.fromCharCode(parseInt(source.slice(i + 1, i + 5), 16));
        i += 4;
      } else flush();
    } else if ('^$.*+?()[]{}|'.includes(c)) flush();
    else cur += c;
  }
  flush();
  return [...new Set(runs)];
}

/** Representatives of the classes patterns use: digits, letters, space, separators, slashes. */
const CLASS_CHARS = ['0', 'a', 'A', ' ', '\t', '\n', '\r', '-', '_', '.', ',', ';', '/', '=', '<', '>', '"', 'é', '\u00a0'];

export function pathologicalInputs(source: string): string[] {
  const runs = literalRuns(source).slice(0, 6);
  const chars = [...new Set([...CLASS_CHARS, ...runs.join('')])].slice(0, 40);
  const pumps = [...chars, ...runs.flatMap((a) => runs.map((b) => a + b)), ...runs];
  const prefixes = ['', ...runs.slice(0, 3)];
  const inputs = new Set<string>();
  for (const prefix of prefixes) {
    for (const pump of pumps) {
      const body = pump.repeat(Math.ceil(SIZE / pump.length));
      inputs.add(`${prefix}${body}\u0001`);
      inputs.add(`${prefix}${body}`);
    }
  }
  return [...inputs];
}
