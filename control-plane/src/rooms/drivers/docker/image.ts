/**
 * The room image for Docker, imported from the room file system built by
 * `workspace-images/build-rootfs.sh` (no registry is reachable, and the local driver uses the same
 * tree, so a room is the same everywhere). The tag is a digest of the build's recipe stamp and of
 * the files the script re-syncs on every run, so a rebuilt file system gets a new image and an
 * unchanged one is imported once per daemon.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { InputError, UnavailableError } from '../../../errors/index.ts';
import { trimTrailingSlashes } from '../../../platform/index.ts';

export const ROOM_IMAGE_REPO = 'analyserom-room';
/** Files the build script re-syncs on every run (cheap config), hashed into the tag. */
const SYNCED = [
  'etc/jupyter',
  'usr/local/lib/analyserom',
  'usr/local/bin/analyserom-airlock',
  'usr/lib/python3/dist-packages/analyserom.pth',
  'usr/share/jupyter/lab/settings/overrides.json',
];

/** Tag of the image for this room file system, e.g. `analyserom-room:3f2a…` (16 hex). */
export function roomImageTag(rootfsDir: string): string {
  const stamp = `${trimTrailingSlashes(rootfsDir)}.recipe-hash`;
  if (!existsSync(join(rootfsDir, 'usr/bin/python3'))) {
    throw new InputError('room file system not built', { reason: 'rootfs_missing', details: { rootfsDir } });
  }
  const h = createHash('sha256');
  h.update(existsSync(stamp) ? readFileSync(stamp) : `mtime:${statSync(join(rootfsDir, 'usr')).mtimeMs}`);
  for (const rel of SYNCED) hashTree(h, rootfsDir, rel);
  return `${ROOM_IMAGE_REPO}:${h.digest('hex').slice(0, 16)}`;
}

function hashTree(h: ReturnType<typeof createHash>, root: string, rel: string): void {
  const p = join(root, rel);
  if (!existsSync(p)) return;
  if (statSync(p).isDirectory()) {
    for (const name of readdirSync(p).sort()) hashTree(h, root, join(rel, name));
  } else {
    h.update(`${rel}\0`).update(readFileSync(p));
  }
}

/**
 * Makes sure the image exists in the daemon, importing `tar -c rootfsDir | docker import` when not.
 * Concurrent callers share one import.
 */
export function createImageImporter(docker: Docker, rootfsDir: string): () => Promise<string> {
  let inFlight: Promise<string> | undefined;
  return () => {
    inFlight ??= ensureImage(docker, rootfsDir).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}

async function ensureImage(docker: Docker, rootfsDir: string): Promise<string> {
  const tag = roomImageTag(rootfsDir);
  try {
    await docker.getImage(tag).inspect();
    return tag;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw unavailable(err);
  }
  const [repo, version] = tag.split(':') as [string, string];
  // Kernel file systems are mounted by the runtime; their contents (and sockets, devices) are not image content.
  // Run as the service account (tre start drops root), the few root-only files of the tree (its
  // /etc/shadow, /root) cannot be read: they are left out, as a room (uid 1000) could not read them
  // either. As root every file must be read.
  const skipUnreadable = process.getuid?.() !== 0 ? ['--ignore-failed-read', '--warning=no-failed-read'] : [];
  const tar = spawn(
    'tar',
    [
      '--numeric-owner',
      '--one-file-system',
      ...skipUnreadable,
      '-C',
      rootfsDir,
      '-c',
      '--exclude=./proc/*',
      '--exclude=./sys/*',
      '--exclude=./dev/*',
      '--exclude=./run/*',
      '--exclude=./tmp/*',
      '.',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let tarErr = '';
  tar.stderr.on('data', (d) => {
    tarErr += String(d);
  });
  const tarDone = new Promise<number>((resolve) => tar.on('close', (code) => resolve(code ?? 1)));
  try {
    const progress = await docker.importImage(tar.stdout, {
      repo,
      tag: version,
      changes: ['LABEL analyserom.image=room', 'USER 1000:1000', 'WORKDIR /home/researcher'],
    } as object);
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(progress, (err: Error | null, out: Array<{ error?: string }>) => {
        const failed = err ?? out.find((o) => o.error);
        failed ? reject(failed instanceof Error ? failed : new Error(String(failed.error))) : resolve();
      }),
    );
  } catch (err) {
    tar.kill();
    throw unavailable(err);
  }
  const code = await tarDone;
  if (code !== 0)
    throw new UnavailableError('room file system could not be archived', { reason: 'image_import_failed', details: { stderr: tarErr.slice(-2000) } });
  return tag;
}

function unavailable(err: unknown): UnavailableError {
  return new UnavailableError('Docker daemon refused the room image', { reason: 'docker_unavailable', cause: err });
}
