/**
 * Start and stop the project's room, with live progress from the server-sent events of the
 * room's start, and a link that opens JupyterLab in a new tab through the proxy.
 */
import { useEffect, useState } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { api, qs } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import type { Room } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { ErrorView, Loaded } from './status.tsx';

interface Progress {
  state?: string;
  step?: string;
  message?: string;
  done?: number;
  total?: number;
  percent?: number;
}

const ACTIVE = ['requested', 'starting', 'running', 'stopping'];

function useRoomEvents(roomId: string | null, onState: (s: string) => void) {
  const [progress, setProgress] = useState<Progress | null>(null);
  const [log, setLog] = useState<string[]>([]);
  useEffect(() => {
    if (!roomId) return;
    const es = new EventSource(EP.roomEvents(roomId), { withCredentials: true });
    const handle = (ev: MessageEvent<string>) => {
      let p: Progress;
      try {
        p = JSON.parse(ev.data) as Progress;
      } catch {
        p = { message: ev.data };
      }
      setProgress((old) => ({ ...old, ...p }));
      const line = p.message ?? p.step;
      if (line) setLog((l) => [...l.slice(-19), line]);
      if (p.state) onState(p.state);
      if (p.state === 'running' || p.state === 'failed' || p.state === 'stopped') es.close();
    };
    es.onmessage = handle;
    for (const name of ['progress', 'state', 'room']) es.addEventListener(name, handle as EventListener);
    es.onerror = () => es.close();
    return () => es.close();
  }, [roomId]); // eslint-disable-line react-hooks/exhaustive-deps
  return { progress, log };
}

export function RoomPanel({ projectId }: { projectId: string }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const rooms = useApi<Room[]>(`${EP.rooms}${qs({ projectId })}`);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState<Room | null>(null);
  const room = live ?? rooms.data?.find((r) => ACTIVE.includes(r.state)) ?? rooms.data?.[0] ?? null;
  const following = room && (room.state === 'requested' || room.state === 'starting') ? room.id : null;
  const { progress, log } = useRoomEvents(following, (state) => {
    setLive((r) => (r ? { ...r, state } : r));
    if (state === 'running') announce(t('room.nowRunning'));
    if (state === 'failed') announce(t('room.failedToStart'));
    if (state === 'running' || state === 'failed') rooms.reload();
  });

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api<Room>('POST', EP.rooms, { projectId });
      setLive(r);
      announce(t('room.starting'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const stop = async () => {
    if (!room) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api<Room | null>('POST', EP.stopRoom(room.id));
      setLive(r && typeof r === 'object' && 'state' in r ? r : { ...room, state: 'stopping' });
      announce(t('room.stopping'));
      setTimeout(() => { setLive(null); rooms.reload(); }, 1500);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const pct = progress?.percent ?? (progress?.total ? Math.round(((progress.done ?? 0) / progress.total) * 100) : undefined);
  return (
    <Loaded state={rooms}>
      {() => (
        <div className="room">
          <p>
            <strong>{t('room.state')}:</strong>{' '}
            <span className={`state state-${room?.state ?? 'none'}`} data-testid="room-state">
              {room ? t(`roomState.${room.state}` as MessageKey) : t('room.none')}
            </span>
            {room?.driver ? <> · {t('room.driver')}: {room.driver}</> : null}
            {room?.reason ? <> · {room.reason}</> : null}
          </p>
          {following ? (
            <div className="progress" aria-live="polite">
              <label htmlFor="room-progress">{t('room.progress')}</label>
              <progress id="room-progress" max={100} value={pct} aria-valuetext={progress?.step ?? progress?.message ?? t('room.starting')} />
              <span>{progress?.step ?? progress?.message ?? t('room.starting')}</span>
            </div>
          ) : null}
          {log.length ? <details><summary>{t('room.log')}</summary><ol className="log">{log.map((l, i) => <li key={i}>{l}</li>)}</ol></details> : null}
          <div className="actions">
            {!room || !ACTIVE.includes(room.state) ? (
              <button type="button" onClick={start} disabled={busy} data-action="start-room">{t('room.start')}</button>
            ) : (
              <button type="button" onClick={stop} disabled={busy || room.state === 'stopping'} data-action="stop-room">{t('room.stop')}</button>
            )}
            {room?.state === 'running' ? (
              <a className="button" href={EP.roomLab(room.id)} target="_blank" rel="noopener" data-action="open-lab">
                {t('room.openLab')} <span className="visually-hidden">{t('common.newTab')}</span>
              </a>
            ) : null}
          </div>
          {error ? <ErrorView error={error} /> : null}
        </div>
      )}
    </Loaded>
  );
}

export { ACTIVE as ACTIVE_ROOM_STATES };
