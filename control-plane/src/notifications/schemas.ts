/** What the notification routes answer, and the kinds of notification there are. */
import { z } from 'zod';

/**
 * Every kind of notification. Each names the change a user is told about; the text shown and
 * e-mailed is made from the kind and its `params` in the reader's language.
 */
export const NOTIFICATION_KINDS = [
  /** A case handler or the applicant wrote on an application (`params.application`). */
  'application.message',
  /** A case handler asked the applicant for more information; the case waits (`params.application`). */
  'application.info_requested',
  /** The applicant answered a request for information (`params.application`). */
  'application.info_provided',
  /** An application was assigned to me (`params.application`). */
  'application.assigned',
  /** An application was approved or rejected (`params.application`, `params.decision`). */
  'application.decided',
  /** A permit (version) was issued (`params.permit`, `params.version`). */
  'permit.issued',
  /** An export request awaits my review, as an access administrator independent of it (`params.export`). */
  'export.submitted',
  /** An export request I made was reviewed or released (`params.export`, `params.decision`). */
  'export.reviewed',
  /** My room was stopped (`params.room`, `params.reason`, e.g. `permit_expired`). */
  'room.stopped',
  /** A new version of the project's data copy exists (`params.version`, `params.reason`). */
  'copy.new_version',
  /** A project asks for my consent (`params.project`). */
  'consent.requested',
  /** A citizen's question reached me, without who asked (`params.question`). */
  'citizen.question',
  /** A citizen's question was answered (`params.question`). */
  'citizen.answer',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const notificationSchema = z
  .object({
    id: z.number().int(),
    kind: z.enum(NOTIFICATION_KINDS),
    params: z.record(z.string(), z.string()),
    link: z.string().nullable(),
    projectId: z.string().nullable(),
    createdAt: z.iso.datetime(),
    readAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Notification' });
export type Notification = z.infer<typeof notificationSchema>;

export const notificationPageSchema = z
  .object({
    items: z.array(notificationSchema),
    /** How many of mine are unread, all pages counted. */
    unread: z.number().int().min(0),
    /** Pass as `before` for the next (older) page; null on the last. */
    next: z.number().int().nullable(),
  })
  .meta({ id: 'NotificationPage' });
export type NotificationPage = z.infer<typeof notificationPageSchema>;

export const unreadCountSchema = z.object({ unread: z.number().int().min(0) }).meta({ id: 'UnreadCount' });
export type UnreadCount = z.infer<typeof unreadCountSchema>;

export const markedReadSchema = z.object({ marked: z.number().int().min(0), unread: z.number().int().min(0) }).meta({ id: 'MarkedRead' });
export type MarkedRead = z.infer<typeof markedReadSchema>;
