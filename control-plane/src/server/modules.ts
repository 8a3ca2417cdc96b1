/**
 * The modules every control plane runs, one per slot, built in a fixed order with what each
 * builds on passed in explicitly (rooms get the data copies), and exposed typed to callers.
 */
import { airlockModule } from '../airlock/index.ts';
import { auditModule } from '../audit/index.ts';
import { citizensModule } from '../citizens/index.ts';
import { dataCopiesModule, type DataCopiesModule } from '../data-copies/index.ts';
import { exploreModule } from '../explore/index.ts';
import type { ModuleDeps, ModuleFactory, PlatformModule } from '../module-api/index.ts';
import { notificationsModule, type NotificationsModule } from '../notifications/index.ts';
import { roomsModule, type RoomsModule, type RoomsNeeds } from '../rooms/index.ts';

/** The running modules, by slot. */
export interface PlatformModules {
  audit: PlatformModule;
  citizens: PlatformModule;
  dataCopies: DataCopiesModule;
  airlock: PlatformModule;
  explore: PlatformModule;
  rooms: RoomsModule;
  notifications: NotificationsModule;
}

/** What each slot's factory is handed besides `ModuleDeps`: the modules it builds on. */
interface SlotNeeds {
  audit: object;
  citizens: object;
  dataCopies: object;
  airlock: object;
  explore: object;
  rooms: RoomsNeeds;
  notifications: object;
}

export type ModuleSlots = { [K in keyof PlatformModules]: ModuleFactory<K, PlatformModules[K], SlotNeeds[K]> };
/** A factory for one of the slots (tests pass differently configured ones to `startPlatform`). */
export type AnyModuleFactory = ModuleSlots[keyof ModuleSlots];

export const DEFAULT_MODULES: ModuleSlots = {
  audit: auditModule,
  citizens: citizensModule,
  dataCopies: dataCopiesModule,
  airlock: airlockModule,
  explore: exploreModule,
  rooms: roomsModule,
  notifications: notificationsModule,
};

/** Builds the modules in order; a factory in `replacements` takes the place of its slot's default. */
export async function buildModules(deps: ModuleDeps, replacements: readonly AnyModuleFactory[] = []): Promise<PlatformModules> {
  const slots: ModuleSlots = { ...DEFAULT_MODULES };
  // Each factory's `slot` names the one slot its type fits.
  for (const f of replacements) Object.assign(slots, { [f.slot]: f });
  const audit = await slots.audit.create(deps);
  const citizens = await slots.citizens.create(deps);
  const dataCopies = await slots.dataCopies.create(deps);
  const airlock = await slots.airlock.create(deps);
  const explore = await slots.explore.create(deps);
  const rooms = await slots.rooms.create({ ...deps, copies: dataCopies });
  const notifications = await slots.notifications.create(deps);
  return { audit, citizens, dataCopies, airlock, explore, rooms, notifications };
}

/** The modules in the order they were built: started in it, stopped in reverse. */
export function inBuildOrder(m: PlatformModules): PlatformModule[] {
  return [m.audit, m.citizens, m.dataCopies, m.airlock, m.explore, m.rooms, m.notifications];
}
