/**
 * The regression check through a room's channel, on the real local (bubblewrap) driver: code in
 * the room fits a model to a file it wrote to /outputs and, the socket vouching for the room's
 * owner, gets the failing report whole (the room holds the data anyway); the same request over a
 * token, outside the room, gets the verdict only. Both are audited, the room's from its address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roomAccess, roomsUnavailable, startRoomsPlatform, type RoomsPlatform } from '../proxy/support.ts';
import { pythonInRoom } from '../rooms/room-client.ts';

const SKIP = roomsUnavailable();
let p: RoomsPlatform;
let roomId = '';

beforeAll(async () => {
  if (SKIP) return;
  p = await startRoomsPlatform();
  roomId = (await p.startRoom('researcher')).id;
}, 180_000);
afterAll(async () => {
  await p?.stop();
});

const SPEC = { method: 'ols', dependent: 'y', independent: ['x1', 'x2'], categorical: [], constant: true };

describe.skipIf(SKIP)(`the regression check through a room's channel${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  it('answers the room whole and a client outside it with the verdict only; both audited', async () => {
    const { endpoint, spec } = await roomAccess(p, roomId);
    const code = [
      'import http.client, json, socket',
      'class C(http.client.HTTPConnection):',
      '    def connect(self):',
      "        self.sock = socket.socket(socket.AF_UNIX); self.sock.connect('/run/analyserom/api.sock')",
      "rows = ['y,x1,x2'] + ['%.2f,%d,%d' % (i * 1.7 + (i * 37) % 5, i, (i * 13) % 7) for i in range(12)]",
      "open('/outputs/small.csv', 'w').write('\\n'.join(rows) + '\\n')",
      "c = C('localhost')",
      `c.request('POST', '/api/projects/${p.projectId}/outputs/check-regression', body=${JSON.stringify(JSON.stringify({ source: { output: 'small.csv' }, spec: SPEC }))}, headers={'content-type': 'application/json'})`,
      'r = c.getresponse(); print(json.dumps({"status": r.status, "body": json.loads(r.read())}))',
    ].join('\n');
    const res = await pythonInRoom(endpoint, spec, code, 60);
    expect(res.stderr).toBe('');
    const answer = JSON.parse(res.stdout) as { status: number; body: Record<string, unknown> };
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'fail',
      nobs: 12,
      dof: 9,
      summary: 'fail; dof=9 < 10',
      source: { kind: 'output', file: 'small.csv' },
      checkedFor: 'researcher',
    });
    expect(Object.keys(answer.body.params as object)).toEqual(['const', 'x1', 'x2']);
    expect(answer.body).not.toHaveProperty('withheld');

    const outside = await p.call('POST', `/api/projects/${p.projectId}/outputs/check-regression`, {
      as: 'researcher',
      body: { source: { output: 'small.csv' }, spec: SPEC },
    });
    expect(outside.status).toBe(200);
    expect(outside.body).toMatchObject({ status: 'fail', withheld: { reason: 'check_only_in_room' } });
    expect(outside.body).not.toHaveProperty('params');
    expect(outside.body).not.toHaveProperty('nobs');

    const audit = await p.deps.store.query<{ actor: string; outcome: string; client_address: string; details: Record<string, unknown> }>(
      "SELECT actor, outcome, client_address, details FROM audit_log WHERE action = 'output.check-regression' AND outcome <> 'initiated' ORDER BY seq",
    );
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ actor: 'researcher', outcome: 'success', client_address: `room:${roomId}`, details: { status: 'fail' } });
    expect(audit[1]!.client_address).not.toMatch(/^room:/);
  });
});
