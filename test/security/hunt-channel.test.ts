/**
 * What code in a room can make the control plane do through its channel socket, beyond the one
 * table check it is for: send a body past the channel's limit by chunking it (the limit read only
 * `content-length`), and loop on refused requests, each of which was written to the audit log that
 * every request of the platform waits on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFUSALS_AUDITED_PER_MINUTE } from '../../control-plane/src/rooms/index.ts';
import { roomAccess, roomsUnavailable, startRoomsPlatform, type RoomsPlatform } from '../proxy/support.ts';
import { pythonInRoom, type RunResult } from '../rooms/room-client.ts';

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

async function py(lines: string[]): Promise<RunResult> {
  const { endpoint, spec } = await roomAccess(p, roomId);
  return pythonInRoom(endpoint, spec, lines.join('\n'), 120);
}

const CONNECT = [
  'import http.client, json, socket, collections',
  'class C(http.client.HTTPConnection):',
  '    def connect(self):',
  "        self.sock = socket.socket(socket.AF_UNIX); self.sock.connect('/run/analyserom/api.sock')",
];

const deniedAudit = () =>
  p.deps.store.query<{ reason: string }>("SELECT reason FROM audit_log WHERE action = 'room.channel.request' AND client_address = $1 ORDER BY seq", [
    `room:${roomId}`,
  ]);

describe.skipIf(SKIP)(`hostile code on a room's channel${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  it('411 length_required for a chunked body past the limit, audited', async () => {
    const res = await py([
      ...CONNECT,
      `path = '/api/projects/${p.projectId}/outputs/check-table'`,
      "pad = 'x' * (300 * 1024)",
      "body = json.dumps({'source': {'copy': 'population.parquet'}, 'spec': {'method': 'pivot_table', 'index': ['sex'], 'pad': pad}}).encode()",
      'def chunks():',
      '    for i in range(0, len(body), 65536): yield body[i:i + 65536]',
      "c = C('localhost'); c.request('POST', path, body=chunks(), headers={'content-type': 'application/json'}, encode_chunked=True)",
      "r = c.getresponse(); print(r.status, json.loads(r.read()).get('reason'))",
    ]);
    expect(res.stdout.trim()).toBe('411 length_required');
    expect((await deniedAudit()).map((e) => e.reason)).toEqual(['length_required']);
  });

  it('a room looping on refused requests gets 429 channel_throttled past the budget, and the audit log one entry for it', async () => {
    const res = await py([
      ...CONNECT,
      "c = C('localhost'); seen = collections.Counter()",
      'for i in range(200):',
      "    c.request('GET', '/api/me'); r = c.getresponse(); seen[str(r.status) + ' ' + json.loads(r.read()).get('reason')] += 1",
      'print(json.dumps(seen))',
    ]);
    const seen = JSON.parse(res.stdout) as Record<string, number>;
    // Within a minute of wall clock the room has REFUSALS_AUDITED_PER_MINUTE - 1 refusals left (one was the 411).
    expect(seen['429 channel_throttled']).toBeGreaterThan(0);
    expect((seen['404 channel_route_not_allowed'] ?? 0) + seen['429 channel_throttled']!).toBe(200);
    const audited = await deniedAudit();
    // A new minute may have begun during the loop: at most two budgets, never one row per request.
    expect(audited.length).toBeLessThanOrEqual(2 * (REFUSALS_AUDITED_PER_MINUTE + 1));
    expect(audited.filter((e) => e.reason === 'channel_throttled').length).toBeGreaterThanOrEqual(1);
  });
});
