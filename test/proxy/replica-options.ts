import type { RoomsOptionsInput } from '../../control-plane/src/rooms/index.ts';
import { TEST_ROOM_OPTIONS } from './support.ts';

/**
 * Control planes sharing a store in the replica tests: access decisions kept ten minutes (so only
 * the store's notifications can explain a refusal sooner), room sessions flushed every 100 ms (a
 * control plane silent for 600 ms counts as gone).
 */
export const REPLICA_TEST_OPTIONS: RoomsOptionsInput = { ...TEST_ROOM_OPTIONS, proxyAuthCacheMs: 600_000, proxySessionFlushMs: 100 };
