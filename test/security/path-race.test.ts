/**
 * Issue 11, class 1: the control plane never follows a path a room can change.
 *
 * The attack, for real: code inside a running (bubblewrap) room swaps a folder of `/outputs`
 * with a symbolic link to a host folder, atomically and over and over (`renameat2` with
 * `RENAME_EXCHANGE`, from Python through ctypes, as a notebook could), while table checks of a
 * file in that folder are asked for over the room's own channel and over the API, export
 * requests stage it, and `/outputs` is listed. The host folder holds a secret file of the same
 * name. Before the fix the control plane (checking with realpath, then opening by name) read the
 * host file and quoted its header in the error ("the data has: …"), staged it for export, and
 * listed the host folder. Now every answer is the room's own file or a refusal, and neither a
 * response, an audit entry, the airlock's records nor its staged bytes ever hold the secret.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformPaths } from '../../control-plane/src/platform/index.ts';
import { checkTablePath, ROOM_API_SOCKET } from '../../control-plane/src/rooms/index.ts';
import { roomAccess, roomsUnavailable, startRoomsPlatform, type RoomsPlatform } from '../proxy/support.ts';
import { runInRoom, type RunResult } from '../rooms/room-client.ts';
import { RENAME_EXCHANGE_LOOP } from '../support/rename-exchange.ts';

const SKIP = roomsUnavailable();
const SECRET = `MASTERKEY${randomBytes(8).toString('hex')}`;
const HOST_ONLY = `host-only-${randomBytes(4).toString('hex')}.txt`;
/** The room's own table: what every answer that is not a refusal must be computed from. */
const OWN = `group,n\n${Array.from({ length: 40 }, (_, i) => `${i % 2 ? 'B' : 'A'},${i}`).join('\n')}\n`;
const OWN_SHA = createHash('sha256').update(OWN).digest('hex');
const SPEC = { method: 'pivot_table', index: ['group'], columns: [], values: null, aggfunc: null, margins: false };
const REFUSALS = ['symlink_refused', 'no_such_file', 'path_changed', 'path_escapes_room', 'not_a_regular_file'];
const ROUNDS = 40;
/** What the room itself keeps in /outputs, whichever way round the swap is. */
const OWN_ENTRIES = ['d', 'l', 'd/data.csv', 'l/data.csv', 'started', 'swap.log'];

let p: RoomsPlatform;
let roomId = '';
let hostDir = '';

beforeAll(async () => {
  if (SKIP) return;
  // Readable by anyone, so the test means the same whichever user the control plane runs as.
  hostDir = mkdtempSync(join(tmpdir(), 'tre-host-secret-'));
  chmodSync(hostDir, 0o755);
  writeFileSync(join(hostDir, 'data.csv'), `${SECRET},other\n1,2\n`, { mode: 0o644 });
  writeFileSync(join(hostDir, HOST_ONLY), SECRET, { mode: 0o644 });
  p = await startRoomsPlatform();
  roomId = (await p.startRoom('researcher')).id;
}, 240_000);
afterAll(async () => {
  await p?.stop();
  if (hostDir) rmSync(hostDir, { recursive: true, force: true });
});

async function inRoom(argv: string[], timeoutS: number): Promise<RunResult> {
  const { endpoint, spec } = await roomAccess(p, roomId);
  return runInRoom(endpoint, spec, argv, timeoutS);
}

/** The room's setup, then the swap loop: `/outputs/d` (a real folder with data.csv) ⇄ `/outputs/l` (a link to the host folder). */
const ATTACK = `
import os, sys
os.makedirs('/outputs/d', exist_ok=True)
open('/outputs/d/data.csv', 'w').write(sys.argv[4])
if not os.path.lexists('/outputs/l'):
    os.symlink(sys.argv[5], '/outputs/l')
open('/outputs/started', 'w').close()
sys.argv = sys.argv[:4]
${RENAME_EXCHANGE_LOOP}`;

/** A request over the room's channel, as the room makes it (the socket is what vouches for the room). */
function overChannel(body: unknown): Promise<{ status: number; text: string }> {
  const socketPath = join(platformPaths(p.dataDir).room(roomId), 'api', ROOM_API_SOCKET);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method: 'POST',
        path: checkTablePath(p.projectId),
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

type Answer = { via: string; status: number; text: string };

/** What an answer amounts to: the room's own file, a refusal by reason, or something else (which fails the test). */
function judge(a: Answer): string {
  const body = JSON.parse(a.text) as Record<string, any>;
  if (a.status === 403 || a.status === 404) return REFUSALS.includes(body.reason) ? `refused:${body.reason}` : `unexpected:${a.status}:${body.reason}`;
  if (a.via === 'list') return 'listed';
  if (a.via === 'export' && a.status === 201) return body.files?.[0]?.sha256 === OWN_SHA ? 'own' : 'staged-another-file';
  // Outside the room a check's table is withheld: the checked bytes are named by their hash.
  if (a.status === 200) return JSON.stringify(body.table?.rowLabels) === '[["A"],["B"]]' || body.source?.sha256 === OWN_SHA ? 'own' : 'checked-another-file';
  return `unexpected:${a.status}:${body.reason}`;
}

describe.skipIf(SKIP)(`a room swapping /outputs folders for links to the host${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  it('never gets a host file read, quoted, staged or listed: every answer is its own file or a refusal', async () => {
    const outputs = platformPaths(p.dataDir).outputs(p.projectId, 'researcher');
    // In the background, so the loop outlives the stub's request; it reports to /outputs/swap.log when stopped.
    const launched = await inRoom(
      [
        '/bin/sh',
        '-c',
        'setsid /usr/bin/python3 -c "$0" "$@" </dev/null >/outputs/swap.log 2>&1 &',
        ATTACK,
        '/outputs/d',
        '/outputs/l',
        '/outputs/stop',
        OWN,
        hostDir,
      ],
      30,
    );
    expect(launched).toMatchObject({ code: 0, stderr: '' });
    for (let i = 0; i < 600 && !existsSync(join(outputs, 'started')); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(outputs, 'started')), 'the swap loop started in the room').toBe(true);

    const answers: Answer[] = [];
    const foreign: string[] = [];
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const table = { source: { output: 'd/data.csv' }, spec: SPEC };
        answers.push({ via: 'channel', ...(await overChannel(table)) });
        const api = await p.call('POST', `/api/projects/${p.projectId}/outputs/check-table`, { as: 'researcher', body: table });
        answers.push({ via: 'api', status: api.status, text: JSON.stringify(api.body) });
        const exp = await p.call('POST', `/api/projects/${p.projectId}/exports`, {
          as: 'researcher',
          body: { purpose: 'race', files: [{ path: 'd/data.csv', description: 'a table' }] },
        });
        answers.push({ via: 'export', status: exp.status, text: JSON.stringify(exp.body) });
        const list = await p.call('GET', `/api/projects/${p.projectId}/outputs`, { as: 'researcher' });
        answers.push({ via: 'list', status: list.status, text: JSON.stringify(list.body) });
        if (list.status === 200) foreign.push(...(list.body as { path: string }[]).map((e) => e.path).filter((x) => !OWN_ENTRIES.includes(x)));
      }
    } finally {
      writeFileSync(join(outputs, 'stop'), '');
    }
    let swapLog = '';
    for (let i = 0; i < 600 && !/^\d+\n$|renameat2/.test(swapLog); i++) {
      await new Promise((r) => setTimeout(r, 50));
      swapLog = readFileSync(join(outputs, 'swap.log'), 'utf8');
    }
    expect(Number(swapLog), `the room kept swapping throughout: ${swapLog}`).toBeGreaterThan(1000);

    const leaks = answers.filter((a) => a.text.includes(SECRET) || a.text.includes(HOST_ONLY)).map((a) => `${a.via} ${a.status} ${a.text.slice(0, 300)}`);
    expect(leaks, 'no answer holds the host file').toEqual([]);
    expect(foreign, "only the room's own entries are listed").toEqual([]);
    const outcomes = answers.map((a) => `${a.via} ${judge(a)}`);
    expect(
      outcomes.filter((o) => !/ (own|listed|refused:.+)$/.test(o)),
      "each answer is the room's own file or a refusal",
    ).toEqual([]);
    for (const via of ['channel', 'api', 'export']) expect(outcomes, `${via} answered with the room's own file at least once`).toContain(`${via} own`);

    const leakedAudit = await p.deps.store.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE coalesce(reason, '') LIKE $1 OR details::text LIKE $1`,
      [`%${SECRET}%`],
    );
    expect(leakedAudit).toEqual([{ n: 0 }]);
    const channelAudited = await p.deps.store.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'output.check-table' AND client_address = $1",
      [`room:${roomId}`],
    );
    expect(channelAudited[0]!.n).toBeGreaterThanOrEqual(ROUNDS);
    const leakedRecords = await p.deps.store.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM airlock_files WHERE row_to_json(airlock_files)::text LIKE $1)::int
            + (SELECT count(*) FROM airlock_events WHERE row_to_json(airlock_events)::text LIKE $1)::int AS n`,
      [`%${SECRET}%`],
    );
    expect(leakedRecords).toEqual([{ n: 0 }]);
    const airlock = join(p.dataDir, 'airlock');
    const staged = existsSync(airlock) ? readdirSync(airlock).flatMap((d) => readdirSync(join(airlock, d)).map((f) => join(airlock, d, f))) : [];
    expect(staged.filter((f) => statSync(f).isFile() && readFileSync(f, 'utf8').includes(SECRET))).toEqual([]);
  }, 600_000);
});
