/**
 * The room's channel to the control plane, on the real local (bubblewrap) driver: the airlock helper
 * installed in the room file system checks a table of the project's copy through the read-only API
 * socket at /run/analyserom/api.sock and saves it with its check record to /outputs; the socket
 * admits nothing else, the room cannot replace it, and it is gone when the room stops.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOM_API_SOCKET } from '../../control-plane/src/rooms/index.ts';
import { platformPaths } from '../../control-plane/src/platform/index.ts';
import { roomAccess, roomsUnavailable, startRoomsPlatform, type RoomsPlatform } from '../proxy/support.ts';
import { runInRoom, type RunResult } from './room-client.ts';

const SKIP = roomsUnavailable();
let p: RoomsPlatform;
let roomId = '';
const paths = () => platformPaths(p.dataDir);

beforeAll(async () => {
  if (SKIP) return;
  p = await startRoomsPlatform();
  roomId = (await p.startRoom('researcher')).id;
}, 180_000);
afterAll(async () => {
  await p?.stop();
});

/** Runs a command in the room as the researcher's code would (the stub server's /run). */
async function inRoom(argv: string[]): Promise<RunResult> {
  const { endpoint, spec } = await roomAccess(p, roomId);
  return runInRoom(endpoint, spec, argv, 60);
}

async function auditOf(action: string) {
  return p.deps.store.query<{
    actor: string;
    outcome: string;
    reason: string | null;
    client_address: string;
    project_id: string;
    details: Record<string, unknown>;
  }>('SELECT actor, outcome, reason, client_address, project_id, details FROM audit_log WHERE action = $1 ORDER BY seq', [action]);
}

const PY_REQUEST = `
import http.client, json, socket, sys
class C(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX); self.sock.connect('/run/analyserom/api.sock')
c = C('localhost')
c.request(sys.argv[1], sys.argv[2], body=sys.argv[3] if len(sys.argv) > 3 else None,
          headers={'content-type': 'application/json', 'authorization': 'Bearer stolen'})
r = c.getresponse(); print(r.status, json.loads(r.read()).get('reason'))
`;

describe.skipIf(SKIP)(`a room's channel to the control plane${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  it('the helper in the room checks a table of the copy through the socket and saves it with its record to /outputs', async () => {
    const env = await inRoom(['/usr/bin/env']);
    expect(env.stdout).toContain('ANALYSEROM_API=/run/analyserom/api.sock');
    expect(env.stdout).toContain(`ANALYSEROM_PROJECT=${p.projectId}`);
    const files = (await inRoom(['/bin/ls', '/data'])).stdout.split('\n').filter(Boolean);
    const population = files.find((f) => /^population.*\.parquet$/.test(f));
    expect(population, `a population file in /data: ${files.join(' ')}`).toBeTruthy();

    const res = await inRoom(['analyserom-airlock', 'check-table', '--copy', population!, '--method', 'pivot_table', '--index', 'sex', '--save', 'by_sex']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ status: 'pass', table: '/outputs/by_sex.csv', record: '/outputs/by_sex.check.json' });
    const outputs = paths().outputs(p.projectId, 'researcher');
    const record = JSON.parse(readFileSync(join(outputs, 'by_sex.check.json'), 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({ status: 'pass', checkedFor: 'researcher', source: { kind: 'copy', file: population }, table_file: 'by_sex.csv' });
    expect(readFileSync(join(outputs, 'by_sex.csv'), 'utf8').split('\r\n')[0]).toBe('sex,count');

    // From Python in a notebook, the same module.
    const py = await inRoom([
      '/usr/bin/python3',
      '-c',
      `import analyserom_airlock as a; print(a.check_table({"copy": "${population}"}, {"method": "pivot_table", "index": ["sex"], "columns": [], "values": None, "aggfunc": None, "margins": False})["status"])`,
    ]);
    expect(py.stdout.trim()).toBe('pass');

    const entries = (await auditOf('output.check-table')).filter((e) => e.outcome === 'success');
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ actor: 'researcher', client_address: `room:${roomId}`, project_id: p.projectId });
  });

  it('admits nothing but the airlock checks for its own project, ignores credentials sent along, and audits each refusal', async () => {
    const tries: [string, string, string?][] = [
      ['GET', '/api/projects'],
      ['GET', '/api/auth/me'],
      ['POST', '/api/projects/other-project/outputs/check-table', '{}'],
      ['POST', '/api/projects/other-project/outputs/check-regression', '{}'],
      ['POST', `/api/projects/${p.projectId}/outputs/check-file`, '{}'],
      ['POST', `/api/projects/${p.projectId}/outputs/check-tables`, '{}'],
      ['GET', `/api/projects/${p.projectId}/outputs/check-histogram`],
      ['POST', `/api/projects/${p.projectId}/exports`, '{"purpose":"x","files":[]}'],
      ['POST', `/api/projects/${p.projectId}/outputs/check-table/../../exports`, '{}'],
    ];
    for (const [method, path, body] of tries) {
      const res = await inRoom(['/usr/bin/python3', '-c', PY_REQUEST, method, path, ...(body ? [body] : [])]);
      expect(res.stdout.trim(), `${method} ${path}: ${res.stderr}`).toBe('404 channel_route_not_allowed');
    }
    const denied = await auditOf('room.channel.request');
    expect(denied.map((e) => [e.outcome, e.reason, e.details.path])).toEqual(tries.map(([, path]) => ['denied', 'channel_route_not_allowed', path]));
    expect(denied.every((e) => e.actor === 'researcher' && e.client_address === `room:${roomId}`)).toBe(true);

    // The one admitted request reaches the route, which answers as it answers anyone.
    const spec = '{"method":"pivot_table","index":["sex"],"columns":[],"values":null,"aggfunc":null,"margins":false}';
    const bad = await inRoom([
      '/usr/bin/python3',
      '-c',
      PY_REQUEST,
      'POST',
      `/api/projects/${p.projectId}/outputs/check-table`,
      `{"source":{"copy":"nope.parquet"},"spec":${spec}}`,
    ]);
    expect(bad.stdout.trim()).toBe('404 no_such_file');
  });

  it('the room cannot replace or remove the socket: its folder is read-only inside', async () => {
    const res = await inRoom([
      '/bin/sh',
      '-c',
      'rm -f /run/analyserom/api.sock; touch /run/analyserom/x; ls -ld /run/analyserom; grep " /run/analyserom " /proc/self/mounts',
    ]);
    expect(res.stderr).toMatch(/Read-only file system/);
    expect(res.stdout).toMatch(/ ro[ ,]/);
    expect(existsSync(join(paths().room(roomId), 'api', ROOM_API_SOCKET))).toBe(true);
  });

  it('the socket is back after a control-plane restart and gone when the room stops', async () => {
    const channels = p.rooms.channels;
    await channels.closeAll(); // as when the control plane stops; local rooms keep running
    expect(existsSync(join(paths().room(roomId), 'api', ROOM_API_SOCKET))).toBe(false);
    await p.rooms.reopenChannels();
    expect(channels.isOpen(roomId)).toBe(true);
    const again = await inRoom(['analyserom-airlock', 'check-table', '--copy', 'nope.parquet', '--method', 'pivot_table', '--index', 'sex']);
    expect(again.stderr).toContain('404');

    await p.call('POST', `/api/rooms/${roomId}/stop`, { as: 'researcher' });
    await p.waitState(roomId, 'stopped');
    for (let i = 0; i < 100 && channels.isOpen(roomId); i++) await new Promise((r) => setTimeout(r, 50));
    expect(channels.isOpen(roomId)).toBe(false);
    expect(existsSync(join(paths().room(roomId), 'api', ROOM_API_SOCKET))).toBe(false);
  });
});
