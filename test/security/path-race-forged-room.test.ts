/**
 * Found beyond the path race, same boundary: the local driver knows its rooms from /proc, by a
 * label in the bubblewrap command line (`--setenv ANALYSEROM_ROOM_LABELS …`), and the room sees
 * that label in its own environment. Code in a room can start a process whose command line
 * carries the same labels with another room's id (Python's `execv` sets argv[0] to anything),
 * and the host's /proc shows it like any other. Before the fix the driver took it for that room:
 * `poll` adopted it (so `start` of that room returned without starting anything, and the
 * room's socket path was taken from the forged command line: `/tmp.jupyter.sock`, for
 * `--bind /tmp /run/jupyter`), and `listOwned` listed
 * it. A room process can never be a room's own bubblewrap: those are the outermost labelled
 * process and its direct child.
 */
import { readdir, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomDriver } from '../../control-plane/src/rooms/index.ts';
import { roomAccess, roomsUnavailable, startRoomsPlatform, type RoomsPlatform } from '../proxy/support.ts';
import { runInRoom } from '../rooms/room-client.ts';

const SKIP = roomsUnavailable();
const VICTIM = 'rm_victim000001';
let p: RoomsPlatform;
let roomId = '';

beforeAll(async () => {
  if (SKIP) return;
  p = await startRoomsPlatform();
  roomId = (await p.startRoom('researcher')).id;
}, 240_000);
afterAll(async () => {
  await p?.stop();
});

/** Inside the room: a process that looks like the bubblewrap of room VICTIM, for 60 s. */
const FORGE = `
import os, subprocess, sys
labels = os.environ['ANALYSEROM_ROOM_LABELS']
forged = ';'.join(('analyserom.room-id=${VICTIM}' if kv.startswith('analyserom.room-id=') else kv) for kv in labels.split(';'))
subprocess.Popen(['/usr/bin/python3', '-c', 'import os, sys; os.execv(sys.executable, ["/usr/bin/bwrap", "-c", "import time; time.sleep(60)", "--setenv", "ANALYSEROM_ROOM_LABELS", sys.argv[1], "--bind", "/tmp", "/run/jupyter"])', forged],
                 start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(forged)
`;

describe.skipIf(SKIP)(`a room forging another room's labels${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  it('is not taken for that room: poll does not adopt it and listOwned does not list it', async () => {
    const { endpoint, spec } = await roomAccess(p, roomId);
    const res = await runInRoom(endpoint, spec, ['/usr/bin/python3', '-c', FORGE], 30);
    expect([res.code, res.stderr]).toEqual([0, '']);
    expect(res.stdout).toContain(`analyserom.room-id=${VICTIM}`);

    // Wait until the forged process has exec'd (it then sleeps 60 s): its argv[0] is bubblewrap's.
    const forgedPids: string[] = [];
    for (let i = 0; i < 200 && forgedPids.length === 0; i++) {
      for (const pid of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
        const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        if (cmd.startsWith('/usr/bin/bwrap\0') && cmd.includes(`room-id=${VICTIM}`)) forgedPids.push(pid);
      }
      if (forgedPids.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(forgedPids.length, 'the forged process is visible in the host /proc').toBe(1);

    const driver = p.rooms.drivers.get('local') as RoomDriver;
    expect(await driver.poll(VICTIM)).toEqual({ roomId: VICTIM, state: 'stopped' });
    expect((await driver.listOwned()).map((r) => r.roomId)).toEqual([roomId]);
    // The room itself is still found and running.
    expect((await driver.poll(roomId)).state).toBe('running');
  });
});
