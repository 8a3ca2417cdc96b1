/** Local sandbox driver (bubblewrap): the embedded default runtime for rooms. */
import type { RoomDriver } from '../types.ts';
import { LocalDriver, type LocalDriverOptions } from './driver.ts';

export type { LocalDriverOptions } from './driver.ts';
export { buildSeccompFilter } from './seccomp.ts';
export { refreshSocketLink, removeSocketLink, socketLinkPath } from './socket-link.ts';

export function createLocalDriver(options: LocalDriverOptions): RoomDriver {
  return new LocalDriver(options);
}
