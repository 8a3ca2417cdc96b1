/**
 * What lies in my room's `/outputs`, so the researcher picks files for an export request. It
 * lists names, sizes and times, never contents: files leave only through an export request.
 * Symbolic links and special files are listed as such and cannot be requested.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { defineRoute, type RouteDef } from '../http/route.ts';
import { requireDataAccess } from '../projects/index.ts';
import { projectId } from '../projects/schemas.ts';
import type { AirlockDeps } from './export-requests.ts';

export interface OutputEntry {
  path: string;
  kind: 'file' | 'symlink' | 'other';
  sizeBytes: number;
  modifiedAt: string;
}

const MAX_ENTRIES = 5_000;
const MAX_DEPTH = 8;

export async function listOutputs(root: string): Promise<OutputEntry[]> {
  const out: OutputEntry[] = [];
  async function walk(dir: string, depth: number): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch {
      return; // no outputs yet
    }
    for (const name of names) {
      if (out.length >= MAX_ENTRIES) return;
      const full = join(dir, name);
      const st = await lstat(full).catch(() => undefined);
      if (!st) continue;
      if (st.isDirectory()) {
        if (depth < MAX_DEPTH) await walk(full, depth + 1);
        continue;
      }
      out.push({
        path: relative(root, full),
        kind: st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other',
        sizeBytes: st.isFile() ? st.size : 0,
        modifiedAt: st.mtime.toISOString(),
      });
    }
  }
  await walk(root, 0);
  return out;
}

export function outputsRoutes(deps: AirlockDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get', path: '/api/projects/:projectId/outputs', tag: 'exports', action: 'outputs.list', access: 'authenticated',
      summary: "The files in my room's /outputs (names, sizes, times; never contents)", params: z.object({ projectId }),
      async handler({ principal, params, audit }) {
        audit.role = 'researcher';
        await requireDataAccess(deps.store, principal!, params.projectId, deps.clock.now());
        return listOutputs(deps.paths.outputs(params.projectId, principal!.userId));
      },
    }),
  ];
}
