/**
 * How to run `tre` as a person would type it, for messages that print a command (the start
 * banner): `tre` when that name on PATH is this installation's bin/tre (a global install, or the
 * checkout's bin/ on PATH), else the absolute path of bin/tre, which works from any folder. In a
 * checkout `tre` is on no PATH (npm links a package's own bin only when it is installed), and
 * `npx tre` would run the machine's npm on its own Node and, outside the checkout, fetch
 * whatever package is named `tre`.
 */
import { realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TRE_BIN = fileURLToPath(new URL('../../../bin/tre', import.meta.url));

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** A word the shell takes as is: quoted when it holds anything but safe characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export function treCommand(env: NodeJS.ProcessEnv = process.env, bin: string = TRE_BIN): string {
  const ours = real(bin);
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const found = real(join(dir, 'tre'));
    if (found !== undefined) return found === ours ? 'tre' : shellWord(bin); // the first `tre` on PATH is what the shell runs
  }
  return shellWord(bin);
}
