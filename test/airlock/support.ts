/** Shared set-up for the airlock tests: a real platform with the exports module, files in a member's /outputs. */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { isValidFnr } from '../../control-plane/src/data-copies/index.ts';
import { airlockModule } from '../../control-plane/src/airlock/index.ts';
import { platformPaths } from '../../control-plane/src/platform/index.ts';
import { createRoomChannels, createRoomsModule, insertRoom, ROOM_API_SOCKET, updateRoom } from '../../control-plane/src/rooms/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

export interface AirlockTest {
  p: TestPlatform;
  projectId: string;
  paths: ReturnType<typeof platformPaths>;
  /** Writes a file into a member's /outputs and returns its path there. */
  output(user: string, rel: string, content: string | Buffer): string;
  /** Writes `copies/<project>/v1/<name>` (Parquet, as the data-copies context lays a copy out) from a SELECT. */
  copyFile(name: string, select: string): Promise<void>;
  /**
   * A room's channel for `user`'s running room (recorded, not started: no driver) on a unix socket,
   * as the rooms context opens one: the way the room's helper reaches the control plane, vouched for
   * by the socket. Only there does a check of a room's own file answer whole. Returns the socket.
   */
  roomChannel(user: string): Promise<string>;
  /**
   * A request from inside `user`'s room, over its channel (one room per user, opened on first use):
   * the only place a check answers whole. Same answer shape as `p.call`.
   */
  inRoom(user: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/** One HTTP request over a unix socket with a JSON body and a content-length, as the room's helper sends it. */
function overSocket(socketPath: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, method, path, headers: payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            // not JSON: kept as text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export async function startAirlock(): Promise<AirlockTest> {
  // Rooms reconciled once an hour: a room `roomChannel` records has no driver's room to observe.
  const p = await startTestPlatform({}, { modules: [airlockModule, createRoomsModule({ reconcileMs: 3_600_000 })] });
  const projects = await p.call('GET', '/api/projects', { as: 'researcher' });
  const projectId = projects.body[0].id as string;
  const paths = platformPaths(p.dataDir);
  const channels = createRoomChannels({
    store: p.deps.store,
    audit: p.deps.audit,
    logger: p.deps.logger,
    dispatch: (req, res) => p.server.emit('request', req, res),
  });
  const stop = p.stop.bind(p);
  p.stop = async () => {
    await channels.closeAll();
    await stop();
  };
  /** One recorded running room per user (a member has one live room), its channel opened once. */
  const sockets = new Map<string, Promise<string>>();
  async function openChannel(user: string): Promise<string> {
    const id = `room_${user.replace(/[^a-z0-9]/g, '')}${Date.now().toString(36)}`;
    await insertRoom(p.deps.store, { id, projectId, ownerId: user, driver: 'local', program: 'stub', jupyterTokenSealed: '' }, p.clock.now());
    await updateRoom(p.deps.store, id, { state: 'running' }, p.clock.now());
    const dir = join(p.dataDir, 'channels', id);
    mkdirSync(dir, { recursive: true });
    await channels.open(id, dir);
    return join(dir, ROOM_API_SOCKET);
  }
  const roomChannel = (user: string): Promise<string> => {
    let socket = sockets.get(user);
    if (!socket) sockets.set(user, (socket = openChannel(user)));
    return socket;
  };
  return {
    p,
    projectId,
    paths,
    roomChannel,
    async inRoom(user, method, path, body) {
      return overSocket(await roomChannel(user), method, path, body);
    },
    output(user, rel, content) {
      const file = join(paths.outputs(projectId, user), rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      return rel;
    },
    async copyFile(name, select) {
      const dir = paths.copy(projectId, 1);
      mkdirSync(dir, { recursive: true });
      const duck = await DuckDBInstance.create(':memory:');
      const conn = await duck.connect();
      try {
        await conn.run(`COPY (${select}) TO '${join(dir, name)}' (FORMAT parquet)`);
      } finally {
        conn.closeSync();
        duck.closeSync();
      }
    },
  };
}

/** A fødselsnummer with valid check digits, built from a birth date and individual number. */
export function validFnr(prefix = '150385'): string {
  for (let ind = 100; ind < 1000; ind++) {
    for (let k = 0; k < 100; k++) {
      const candidate = `${prefix}${ind}${String(k).padStart(2, '0')}`;
      if (isValidFnr(candidate)) return candidate;
    }
  }
  throw new Error('no valid fnr');
}

export const SAFE_CSV = 'group,count\nA,120\nB,340\n';

/** Microdata whose crosstab by `region` has one cell of 3 records: fails the threshold rule. */
export function microdataCsv(): string {
  const rows = ['region,sex,income'];
  for (let i = 0; i < 40; i++) rows.push(`north,${i % 2 ? 'f' : 'm'},${100 + i}`);
  for (let i = 0; i < 40; i++) rows.push(`south,${i % 2 ? 'f' : 'm'},${200 + i}`);
  for (let i = 0; i < 3; i++) rows.push(`east,f,${300 + i}`);
  return `${rows.join('\n')}\n`;
}

export const CROSSTAB = { method: 'crosstab', index: ['region'], columns: ['sex'], values: null, aggfunc: null, margins: false };
