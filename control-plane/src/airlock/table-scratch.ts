/**
 * The control plane's scratch space for table checks. A table of a member's `/outputs` is checked
 * from a private copy of its bytes (so the room cannot change it under DuckDB), and every check
 * opens a DuckDB of its own; both cost the control plane disk and memory that a researcher, or
 * code in a room through its channel, could otherwise ask for without bound.
 *
 * So: at most `concurrent` checks run at once in a control plane (more are refused with 429,
 * reason `table_checks_busy`, before anything is opened or copied); copies live under
 * `<dataDir>/scratch/tables/` (on the data volume, not a RAM-backed `/tmp`), one folder per check,
 * removed when the check ends on every path; and what a control plane that died mid-check left
 * there is removed the first time the folder is used again.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RateLimitedError } from '../errors/index.ts';

/** Checks at once in one control plane: each holds a DuckDB with two threads and, for an output, a copy. */
export const TABLE_CHECKS_AT_ONCE = 2;
/** The largest `/outputs` file ever copied for a check, whatever the policy allows to be staged. */
export const TABLE_SOURCE_MAX_BYTES = 256 * 1024 ** 2;

export interface TableScratch {
  /** Takes a slot or refuses (429); the returned function gives it back (idempotent). */
  acquire(): () => void;
  /** Runs `use` holding a slot, with an empty private folder under the data dir, removed afterwards. */
  withSlot<T>(dataDir: string, use: (folder: () => Promise<string>) => Promise<T>): Promise<T>;
  inUse(): number;
}

export function createTableScratch(concurrent = TABLE_CHECKS_AT_ONCE): TableScratch {
  let used = 0;
  const swept = new Map<string, Promise<void>>();

  /** Once per folder and process, awaited by every check before it makes its own folder there. */
  function sweep(root: string): Promise<void> {
    let done = swept.get(root);
    if (!done) {
      done = (async () => {
        await mkdir(root, { recursive: true, mode: 0o700 });
        // Only folders this module makes; nothing else is kept here.
        for (const name of await readdir(root)) {
          if (name.startsWith('check-')) await rm(join(root, name), { recursive: true, force: true });
        }
      })();
      done.catch(() => swept.delete(root));
      swept.set(root, done);
    }
    return done;
  }

  const scratch: TableScratch = {
    acquire() {
      if (used >= concurrent) {
        throw new RateLimitedError(`at most ${concurrent} table checks run at once; try again when one has finished`, {
          reason: 'table_checks_busy',
          details: { concurrent },
        });
      }
      used += 1;
      let held = true;
      return () => {
        if (held) used -= 1;
        held = false;
      };
    },
    async withSlot(dataDir, use) {
      const release = scratch.acquire();
      const root = join(dataDir, 'scratch', 'tables');
      let made: string | null = null;
      try {
        return await use(async () => {
          if (made) return made;
          await sweep(root);
          made = await mkdtemp(join(root, 'check-'));
          return made;
        });
      } finally {
        try {
          if (made) await rm(made, { recursive: true, force: true });
        } finally {
          release();
        }
      }
    },
    inUse: () => used,
  };
  return scratch;
}

/** The one scratch of this control plane: the bound is per process, whoever calls. */
export const tableScratch: TableScratch = createTableScratch();
