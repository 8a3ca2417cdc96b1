/**
 * The signed-in user's notifications as they happen: one server-sent event stream per page
 * (`GET /api/notifications/stream`), holding the unread count and telling subscribers (`useLive`)
 * of each new notification. The stream comes back by itself (EventSource retries; the server ends
 * it every few minutes so that it is authenticated again); where it cannot be held (refused: too
 * many open), the count is asked for every minute instead. A `resync` from the server, or a
 * reconnection, tells subscribers to reload, since something may have been missed meanwhile.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api } from './api.ts';
import { EP } from './endpoints.ts';
import type { Notification, UnreadCount } from './types.ts';

/** A new notification, or `null`: reload, some may have been missed. */
export type LiveListener = (n: Notification | null) => void;

interface Live {
  unread: number | null;
  setUnread(n: number): void;
  subscribe(fn: LiveListener): () => void;
}

const LiveCtx = createContext<Live | null>(null);
const POLL_MS = 60_000;

export function LiveProvider({ children }: { children: ReactNode }) {
  const [unread, setUnread] = useState<number | null>(null);
  const listeners = useRef(new Set<LiveListener>());
  const emit = useCallback((n: Notification | null) => {
    for (const l of listeners.current) l(n);
  }, []);
  const subscribe = useCallback((fn: LiveListener) => {
    listeners.current.add(fn);
    return () => {
      listeners.current.delete(fn);
    };
  }, []);
  useEffect(() => {
    let poll: ReturnType<typeof setInterval> | undefined;
    let opened = false;
    const ask = () =>
      api<UnreadCount>('GET', EP.notificationsUnread).then(
        (c) => setUnread(c.unread),
        () => undefined,
      );
    const es = new EventSource(EP.notificationsStream, { withCredentials: true });
    es.addEventListener('open', () => {
      // After the first opening, an opening is a reconnection: something may have been missed.
      if (opened) emit(null);
      opened = true;
    });
    es.addEventListener('unread', (e) => setUnread((JSON.parse((e as MessageEvent<string>).data) as UnreadCount).unread));
    es.addEventListener('notification', (e) => emit(JSON.parse((e as MessageEvent<string>).data) as Notification));
    es.addEventListener('resync', () => emit(null));
    es.addEventListener('error', () => {
      if (es.readyState === EventSource.CLOSED && !poll) {
        void ask();
        poll = setInterval(ask, POLL_MS);
      }
    });
    return () => {
      es.close();
      if (poll) clearInterval(poll);
    };
  }, [emit]);
  const value = useMemo<Live>(() => ({ unread, setUnread, subscribe }), [unread, subscribe]);
  return <LiveCtx.Provider value={value}>{children}</LiveCtx.Provider>;
}

/** The live state; outside a session (no provider) a count of null and no notifications. */
export function useLiveState(): Live {
  return useContext(LiveCtx) ?? { unread: null, setUnread: () => undefined, subscribe: () => () => undefined };
}
