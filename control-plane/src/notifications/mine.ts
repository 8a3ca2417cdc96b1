/**
 * A user's own notifications: read, counted and marked read. Every query is scoped to the
 * caller's user id, so another user's notification is simply not found (404, never 403: its
 * existence is not told either). Pages run newest first by id (ids are handed out at commit order
 * of the inserts, so a later change has a larger id), as keyset pages: `before` the last id seen.
 */
import { NotFoundError } from '../errors/index.ts';
import type { Queryable } from '../store/index.ts';
import type { Notification, NotificationKind, NotificationPage } from './schemas.ts';

interface Row {
  id: string;
  kind: NotificationKind;
  params: Record<string, unknown>;
  link: string | null;
  project_id: string | null;
  created_at: Date;
  read_at: Date | null;
}

const COLUMNS = 'id, kind, params, link, project_id, created_at, read_at';

function viewOf(r: Row): Notification {
  return {
    id: Number(r.id),
    kind: r.kind,
    // Params are written as strings (`notify`); anything else is shown as text, never passed on as it is.
    params: Object.fromEntries(Object.entries(r.params ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
    link: r.link,
    projectId: r.project_id,
    createdAt: new Date(r.created_at).toISOString(),
    readAt: r.read_at ? new Date(r.read_at).toISOString() : null,
  };
}

export async function unreadCount(q: Queryable, userId: string): Promise<number> {
  const [row] = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL', [userId]);
  return row?.n ?? 0;
}

export async function listMine(
  q: Queryable,
  userId: string,
  opts: { before?: number | undefined; limit: number; unreadOnly?: boolean | undefined },
): Promise<NotificationPage> {
  const rows = await q.query<Row>(
    `SELECT ${COLUMNS} FROM notifications
      WHERE user_id = $1 AND ($2::bigint IS NULL OR id < $2) AND (NOT $3 OR read_at IS NULL)
      ORDER BY id DESC LIMIT $4`,
    [userId, opts.before ?? null, opts.unreadOnly ?? false, opts.limit + 1],
  );
  const items = rows.slice(0, opts.limit).map(viewOf);
  return { items, unread: await unreadCount(q, userId), next: rows.length > opts.limit ? items[items.length - 1]!.id : null };
}

/** One of mine, or 404. */
export async function getMine(q: Queryable, userId: string, id: number): Promise<Notification> {
  const [row] = await q.query<Row>(`SELECT ${COLUMNS} FROM notifications WHERE user_id = $1 AND id = $2`, [userId, id]);
  if (!row) throw new NotFoundError(`no notification ${id}`, { reason: 'no_such_notification', details: { field: 'notificationId' } });
  return viewOf(row);
}

/** Marks one of mine read (again: keeps the first time); 404 when it is not mine. */
export async function markRead(q: Queryable, userId: string, id: number, now: Date): Promise<Notification> {
  await q.query('UPDATE notifications SET read_at = COALESCE(read_at, $3) WHERE user_id = $1 AND id = $2', [userId, id, now]);
  return getMine(q, userId, id);
}

/** Marks every unread one of mine read; returns how many. */
export async function markAllRead(q: Queryable, userId: string, now: Date): Promise<number> {
  const [row] = await q.query<{ n: number }>(
    'WITH marked AS (UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL RETURNING 1) SELECT count(*)::int AS n FROM marked',
    [userId, now],
  );
  return row?.n ?? 0;
}
