/**
 * What lies in my room's `/outputs`, so the researcher picks files for an export request. It
 * lists names, sizes and times, never contents: files leave only through an export request.
 * Symbolic links and special files are listed as such and cannot be requested.
 */
import { z } from 'zod';
import { defineRoute, type RouteDef } from '../http/index.ts';
import { requireDataAccess, projectId } from '../projects/index.ts';
import { listRoomTree, type RoomEntry } from '../room-files/index.ts';
import type { AirlockDeps } from './export-requests.ts';
import { outputListSchema, type OutputEntry } from './schemas.ts';

export type { OutputEntry } from './schemas.ts';

const MAX_ENTRIES = 5_000;
const MAX_DEPTH = 8;

/** The listing follows no link: a folder swapped for one mid-listing is never read through (see `room-files`). */
export async function listOutputs(root: string): Promise<OutputEntry[]> {
  const entries: RoomEntry[] = await listRoomTree(root, { maxEntries: MAX_ENTRIES, maxDepth: MAX_DEPTH });
  // The listing's entries are what the API answers: the contract's type must hold them.
  return entries satisfies OutputEntry[];
}

export function outputsRoutes(deps: AirlockDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/projects/:projectId/outputs',
      tag: 'exports',
      action: 'outputs.list',
      access: 'authenticated',
      summary: "The files in my room's /outputs (names, sizes, times; never contents)",
      params: z.object({ projectId }),
      response: outputListSchema,
      async handler({ principal, params, audit }) {
        audit.role = 'researcher';
        await requireDataAccess(deps.store, principal!, params.projectId, deps.clock.now());
        return listOutputs(deps.paths.outputs(params.projectId, principal!.userId));
      },
    }),
  ];
}
