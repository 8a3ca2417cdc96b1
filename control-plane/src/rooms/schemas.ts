/**
 * The rooms API's contract: what its routes take and answer. The server's types are inferred
 * from these schemas, and the web UI and the CLI import the same types (type-only), so this
 * module imports nothing but zod and the reason words (`errors/reasons.ts`, plain data): it is
 * read by the browser build's type check too.
 */
import { z } from 'zod';
import { REASONS } from '../errors/index.ts';

export const roomIdSchema = z.string().regex(/^r[0-9a-f]{12}$/, 'not a room id');
export const driverNameSchema = z.enum(['local', 'docker', 'kubernetes']);
export const roomStateSchema = z.enum(['requested', 'starting', 'running', 'stopping', 'stopped', 'failed']);
/** `standby`: started ahead of demand for its owner, not reachable until handed over. */
export const roomWantedSchema = z.enum(['running', 'stopped', 'standby']);
export const roomProgramSchema = z.enum(['jupyterlab', 'stub']);

export type DriverName = z.infer<typeof driverNameSchema>;
export type RoomState = z.infer<typeof roomStateSchema>;

/** What the API shows of a room (never the token, driver state or endpoint). */
export const roomViewSchema = z.strictObject({
  id: roomIdSchema,
  projectId: z.string(),
  owner: z.string(),
  driver: driverNameSchema,
  program: roomProgramSchema,
  state: roomStateSchema,
  wanted: roomWantedSchema,
  /** The room's path under the platform's address (`/rooms/<id>/`). */
  url: z.string(),
  failureReason: z.enum(REASONS).nullable(),
  failureMessage: z.string().nullable(),
  stopReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  runningAt: z.iso.datetime().nullable(),
  stoppedAt: z.iso.datetime().nullable(),
  lastActivityAt: z.iso.datetime().nullable(),
  ageSeconds: z.number().int(),
  /** Seconds since the last activity of a running room; null when it is not running. */
  idleSeconds: z.number().int().nullable(),
});
export type RoomView = z.infer<typeof roomViewSchema>;

export const roomListSchema = z.array(roomViewSchema);

/** The operators' room history: rooms of every state, newest first, each with its project's title. */
export const roomHistorySchema = z.array(roomViewSchema.extend({ projectTitle: z.string() })).meta({ id: 'RoomHistory' });
export type RoomHistoryEntry = z.infer<typeof roomHistorySchema>[number];
export const roomHistoryQuerySchema = z.strictObject({
  project: z.string().min(1).max(100).optional(),
  room: z.string().min(1).max(100).optional(),
  owner: z.string().min(1).max(100).optional(),
  /** Rooms created before this time: the previous page's last `createdAt`. */
  before: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const roomStartInputSchema = z.strictObject({ driver: driverNameSchema.optional() }).default({});

export const handoffInputSchema = z.strictObject({ next: z.string().max(2000).optional() }).default({});
/** A single-use link to the room's own origin, valid for a minute. */
export const handoffSchema = z.strictObject({ url: z.string() });

/** One UTC day of a project's room usage (cost report). */
export const usageDaySchema = z.strictObject({
  day: z.iso.date(),
  roomHours: z.number().nonnegative(),
  cpuHours: z.number().nonnegative(),
  memoryGbHours: z.number().nonnegative(),
});
export type UsageDay = z.infer<typeof usageDaySchema>;

export const usageSchema = z.array(usageDaySchema);
