/**
 * The room's server creates its socket in a folder the room can write, so the room could replace
 * `jupyter.sock` by a symlink to any socket on the host (a container daemon's, the control plane's
 * own), and the control plane, connecting by path, would follow it with its own privileges.
 *
 * So the control plane never connects to the room's path. It hard-links the room's socket into a
 * folder the room cannot write (`link(2)` does not follow symlinks), checks that what it linked IS a
 * socket, and connects only to that link. The link is renewed if the server re-creates its socket.
 */
import { link, lstat, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ROOM_SOCKET_NAME } from '../types.ts';

/** Where the control plane's link of a room's socket lives: beside the socket folder, outside the room. */
export function socketLinkPath(socketDir: string): string {
  return join(dirname(socketDir), `${basename(socketDir)}.${ROOM_SOCKET_NAME}`);
}

/**
 * Returns `linkPath` once it is a hard link to the socket now at `<socketDir>/jupyter.sock`, or
 * undefined when there is no socket there (yet) or the room put something else in its place.
 */
export async function refreshSocketLink(socketDir: string, linkPath: string): Promise<string | undefined> {
  const roomPath = join(socketDir, ROOM_SOCKET_NAME);
  const [inRoom, linked] = await Promise.all([lstat(roomPath).catch(() => undefined), lstat(linkPath).catch(() => undefined)]);
  if (linked?.isSocket() && inRoom && inRoom.ino === linked.ino && inRoom.dev === linked.dev) return linkPath;
  if (!inRoom?.isSocket()) return linked?.isSocket() ? linkPath : undefined;
  const staging = `${linkPath}.${process.pid}.tmp`;
  await rm(staging, { force: true });
  try {
    await link(roomPath, staging);
  } catch {
    return undefined;
  }
  // The room may have swapped the socket for a symlink since the lstat: check what was linked.
  if (!(await lstat(staging)).isSocket()) {
    await rm(staging, { force: true });
    return undefined;
  }
  await rename(staging, linkPath);
  return linkPath;
}

export async function removeSocketLink(linkPath: string): Promise<void> {
  await rm(linkPath, { force: true });
}
