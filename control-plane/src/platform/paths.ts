/**
 * Where things live under the data directory. One place, so that rooms, data copies and the
 * airlock agree. Nothing here is ever mounted into a room except what a driver is handed:
 * the copy (read-only), the member's home and outputs, and the project's imports (read-only).
 *
 *   <dataDir>/postgres, run/, secrets/          the store and kept keys (never in a room)
 *   <dataDir>/registers/<dataset>/<version>/    immutable intake (Parquet)
 *   <dataDir>/copies/<projectId>/v<N>/          approved data copies, one folder per version
 *   <dataDir>/projects/<projectId>/imports/     files released into rooms through the airlock
 *   <dataDir>/projects/<projectId>/members/<userId>/home, outputs
 *   <dataDir>/airlock/<exportId>/               staged export files (immutable once staged)
 *   <dataDir>/rooms/<roomId>/                   per-room runtime folder (sockets, state)
 */
import { join } from 'node:path';

const SAFE = /^[a-z0-9][a-z0-9._-]{0,80}$/i;

function seg(value: string, what: string): string {
  if (!SAFE.test(value) || value.includes('..')) throw new Error(`unsafe ${what} for a path: ${JSON.stringify(value)}`);
  return value;
}

export function platformPaths(dataDir: string) {
  return {
    dataDir,
    registers: (dataset?: string, version?: string) =>
      join(dataDir, 'registers', ...(dataset ? [seg(dataset, 'dataset')] : []), ...(version ? [seg(version, 'version')] : [])),
    copies: (projectId: string) => join(dataDir, 'copies', seg(projectId, 'project id')),
    copy: (projectId: string, version: number) => join(dataDir, 'copies', seg(projectId, 'project id'), `v${version}`),
    imports: (projectId: string) => join(dataDir, 'projects', seg(projectId, 'project id'), 'imports'),
    home: (projectId: string, userId: string) => join(dataDir, 'projects', seg(projectId, 'project id'), 'members', seg(userId, 'user id'), 'home'),
    outputs: (projectId: string, userId: string) => join(dataDir, 'projects', seg(projectId, 'project id'), 'members', seg(userId, 'user id'), 'outputs'),
    airlock: (exportId: string) => join(dataDir, 'airlock', seg(exportId, 'export id')),
    room: (roomId: string) => join(dataDir, 'rooms', seg(roomId, 'room id')),
  };
}

export type PlatformPaths = ReturnType<typeof platformPaths>;
