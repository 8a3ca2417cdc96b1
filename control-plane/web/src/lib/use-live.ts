/**
 * Keeps a page's data current without reload: calls `reload` when a notification that concerns
 * what the page shows arrives (`concerns`), and after the live stream was re-made (some may have
 * been missed). Pages that show copies, rooms and reviews use it, e.g.
 *   useLive((n) => n.projectId === projectId && n.kind === 'copy.new_version', copies.reload);
 */
import { useEffect, useRef } from 'react';
import { useLiveState } from './live.tsx';
import type { Notification } from './types.ts';

export function useLive(concerns: (n: Notification) => boolean, reload: () => void): void {
  const { subscribe } = useLiveState();
  // The latest callbacks, without re-subscribing on every render.
  const latest = useRef({ concerns, reload });
  latest.current = { concerns, reload };
  useEffect(
    () =>
      subscribe((n) => {
        if (n === null || latest.current.concerns(n)) latest.current.reload();
      }),
    [subscribe],
  );
}
