/**
 * Twenty researchers starting their rooms at once: every room comes up, every time. Real bubblewrap
 * sandboxes of one local driver, running the stub server (same sandbox, socket, seccomp program and
 * limits as JupyterLab, which would make twenty rooms times three rounds too heavy for the suite).
 *
 * What this guards: each start used to rewrite the one seccomp program file (truncate, then
 * write) that bubblewrap reads, so a sandbox started while another start was rewriting it read an
 * empty or partial program and exited with `prctl(PR_SET_SECCOMP) reported EINVAL`
 * (`sandbox-exited`). Twenty at once hit it in most rounds.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalDriver, type RoomSpec } from '../../control-plane/src/rooms/index.ts';
import { waitFor } from './conformance.ts';

const rootfsDir = process.env.ANALYSEROM_ROOTFS_DIR ?? resolve('workspace-images/build/rootfs');
const ROOMS = 20;
const ROUNDS = 3;

function missing(): string | undefined {
  try {
    execFileSync('bwrap', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'bubblewrap is not installed (apt-get install bubblewrap)';
  }
  if (!existsSync(join(rootfsDir, 'usr/local/lib/analyserom/stub-server.py'))) return `room file system not built at ${rootfsDir}`;
  return undefined;
}
const skip = missing();

describe.skipIf(skip !== undefined)(`${ROOMS} simultaneous room starts${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const work = mkdtempSync(join(tmpdir(), 'room-concurrent-'));
  chmodSync(work, 0o755);
  const driver = createLocalDriver({ ownerId: `concurrent-${randomBytes(3).toString('hex')}`, rootfsDir, stateDir: join(work, 'state'), stopGraceMs: 500 });
  const started: string[] = [];
  afterAll(async () => {
    for (const id of started) await driver.stop(id).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  const specOf = (round: number, i: number): RoomSpec => {
    const roomId = `cc-${round}-${i}`;
    const dir = join(work, roomId);
    const spec: RoomSpec = {
      roomId,
      projectId: `project-${i}`,
      limits: { memoryBytes: 512 * 1024 * 1024, cpuMillis: 500, pids: 64 },
      jupyterToken: randomBytes(24).toString('hex'),
      relaySecret: randomBytes(32).toString('hex'),
      baseUrl: `/rooms/${roomId}/`,
      program: 'stub',
      dataDir: join(dir, 'data'),
      homeDir: join(dir, 'home'),
      outputsDir: join(dir, 'outputs'),
      importsDir: join(dir, 'imports'),
      socketDir: join(dir, 'socket'),
      apiDir: join(dir, 'api'),
    };
    for (const d of [spec.dataDir, spec.homeDir, spec.outputsDir, spec.importsDir, spec.socketDir]) mkdirSync(d, { recursive: true });
    return spec;
  };

  it(`all ${ROOMS} run, in each of ${ROUNDS} rounds`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const specs = Array.from({ length: ROOMS }, (_, i) => specOf(round, i));
      started.push(...specs.map((s) => s.roomId));
      const starts = await Promise.allSettled(specs.map((s) => driver.start(s)));
      const refused = starts.flatMap((r, i) =>
        r.status === 'rejected'
          ? [`${specs[i]!.roomId}: ${(r.reason as { reason?: string }).reason} ${JSON.stringify((r.reason as { details?: unknown }).details)}`]
          : [],
      );
      expect(refused).toEqual([]);
      const states = await Promise.all(
        specs.map((s) =>
          waitFor(driver, s.roomId, 'running', 120_000).then(
            (o) => o.state,
            (e: Error) => e.message,
          ),
        ),
      );
      expect(states).toEqual(specs.map(() => 'running'));
      for (const s of specs) await driver.stop(s.roomId);
      expect((await driver.listOwned()).map((r) => r.roomId)).toEqual([]);
    }
  }, 600_000);
});
