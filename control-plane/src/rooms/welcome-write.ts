/**
 * Puts the welcome notebook (`welcome.ts`) into a room's home as the room starts: from the
 * manifest of the copy the room mounts at `/data` (the control plane's own folder, which no room
 * can write), through `room-files`' `replaceRoomFile`, which follows no name the room can change.
 * Only drivers whose homes are host folders (local, Docker) get it: a Kubernetes room's home is a
 * volume the control plane does not mount. A notebook that cannot be written never stops a room.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CopyManifestSchema, type CopyManifest } from '../data-copies/schemas.ts';
import type { Logger } from '../platform/index.ts';
import { replaceRoomFile } from '../room-files/index.ts';
import type { RoomSpec } from './drivers/types.ts';
import type { Room } from './room-store.ts';
import { WELCOME_NAME, welcomeNotebook } from './welcome.ts';

/** The copy's manifest, or null for the empty `/data` of a project without a copy. */
export async function copyManifestIn(dataDir: string): Promise<CopyManifest | null> {
  let text: string;
  try {
    text = await readFile(join(dataDir, 'manifest.json'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return CopyManifestSchema.parse(JSON.parse(text));
}

/** Whether the room gets a welcome notebook: JupyterLab on a driver with a host-folder home. */
export const getsWelcome = (room: Pick<Room, 'driver' | 'program'>) => room.driver !== 'kubernetes' && (room.program ?? 'jupyterlab') === 'jupyterlab';

export async function writeWelcome(room: Room, spec: RoomSpec, logger: Logger): Promise<void> {
  if (!getsWelcome(room)) return;
  try {
    const notebook = welcomeNotebook(await copyManifestIn(spec.dataDir));
    await replaceRoomFile(spec.homeDir, WELCOME_NAME, `${JSON.stringify(notebook, null, 1)}\n`, { label: "the room's home" });
  } catch (err) {
    logger.warn('welcome notebook not written', { roomId: room.id, error: err instanceof Error ? err.message : String(err) });
  }
}
