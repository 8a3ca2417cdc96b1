/**
 * The one config as this control plane loads it: the platform-wide keys (`config/`) and the
 * sections of the contexts that have settings, each owned by its context.
 */
import { configLoader, type ConfigInputOf, type ConfigOf } from '../config/index.ts';
import { copiesConfigSection } from '../data-copies/index.ts';
import { notificationsConfigSection } from '../notifications/index.ts';
import { casesConfigSection } from '../projects/index.ts';
import { roomsConfigSection } from '../rooms/index.ts';

const SECTIONS = { rooms: roomsConfigSection, copies: copiesConfigSection, cases: casesConfigSection, notifications: notificationsConfigSection };

const loader = configLoader(SECTIONS);

/** Every key, sections included (docs, tests). */
export const configSchema = loader.schema;
/** The whole config, sections typed. */
export type FullConfig = ConfigOf<typeof SECTIONS>;
export type ConfigInput = ConfigInputOf<typeof SECTIONS>;
/** Reads `TRE_*` variables (TRE_PORT, TRE_DATA_DIR, ..., TRE_ROOM_*, TRE_COPY_*, TRE_CASE_*, TRE_NOTIFY_*) and DATABASE_URL. */
export const configFromEnv = (env: NodeJS.ProcessEnv): ConfigInput => loader.fromEnv(env);
/** Defaults, then the layers in order (environment, flags), checked and described key by key. */
export const loadConfig = (...layers: ConfigInput[]): FullConfig => loader.load(...layers);
