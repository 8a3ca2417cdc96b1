/**
 * Start and stop my room in a project, with live progress from the room's server-sent events
 * (`event: state`, one room view per change, ending at running, stopped or failed), and a link
 * that opens JupyterLab in a new tab through the proxy.
 */
import { useEffect, useState } from 'react';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import { EP } from '../lib/endpoints.ts';
import { useSession } from '../lib/session.tsx';
import type { Room } from '../lib/types.ts';
import { useApi } from '../lib/use-api.ts';
import { useLive } from '../lib/use-live.ts';
import { ErrorView, Loaded } from './status.tsx';

export const ACTIVE_ROOM_STATES = ['requested', 'starting', 'running', 'stopping'];
const STEPS = ['requested', 'starting', 'running'];

/**
 * Follows a room starting or stopping; `onRoom` gets every new view of it. The server ends the
 * stream when the room has settled, which closes the source (no reconnect).
 */
function useRoomEvents(roomId: string | null, onRoom: (r: Room) => void) {
  useEffect(() => {
    if (!roomId) return;
    const es = new EventSource(EP.roomEvents(roomId), { withCredentials: true });
    const handle = (ev: MessageEvent<string>) => {
      try {
        onRoom(JSON.parse(ev.data) as Room);
      } catch {
        /* a comment or keep-alive line */
      }
    };
    es.addEventListener('state', handle as EventListener);
    es.onmessage = handle;
    es.onerror = () => es.close();
    return () => es.close();
  }, [roomId]); // eslint-disable-line react-hooks/exhaustive-deps
}

export function RoomPanel({ projectId }: { projectId: string }) {
  const { t } = useI18n();
  const { announce } = useSession();
  const rooms = useApi<Room[]>(EP.rooms);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState<Room | null>(null);
  const [log, setLog] = useState<string[]>([]);
  // Stopped by an operator or at the permit's expiry: shown as it happens.
  useLive(
    (n) => n.projectId === projectId && n.kind === 'room.stopped',
    () => {
      setLive(null);
      rooms.reload();
    },
  );
  const mine = (rooms.data ?? []).filter((r) => r.projectId === projectId);
  const room = live ?? mine.find((r) => ACTIVE_ROOM_STATES.includes(r.state)) ?? mine[0] ?? null;
  const following = room && (room.state === 'requested' || room.state === 'starting') ? room.id : null;
  const stopping = room && (room.state === 'stopping' || (room.state === 'running' && room.wanted === 'stopped')) ? room.id : null;
  useRoomEvents(following ?? stopping, (r) => {
    setLive(r);
    setLog((l) => [...l, `${new Date().toLocaleTimeString()} ${t(`roomState.${r.state}` as MessageKey)}`]);
    if (r.state === 'running') announce(t('room.nowRunning'));
    if (r.state === 'failed') announce(t('room.failedToStart'));
  });

  const start = async () => {
    setBusy(true);
    setError(null);
    setLog([]);
    try {
      setLive(await api<Room>('POST', EP.startRoom(projectId), {}));
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
      // The room's events follow it until it has stopped.
      setLive(await api<Room>('POST', EP.stopRoom(room.id)));
      announce(t('room.stopping'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const step = room ? STEPS.indexOf(room.state) + 1 : 0;
  return (
    <Loaded state={rooms}>
      {() => (
        <div className="room">
          <p>
            <strong>{t('room.state')}:</strong>{' '}
            <span className={`state state-${room?.state ?? 'none'}`} data-testid="room-state" data-state={room?.state ?? 'none'}>
              {room ? t(`roomState.${room.state}` as MessageKey) : t('room.none')}
            </span>
            {room?.driver ? (
              <>
                {' '}
                · {t('room.driver')}: {room.driver}
              </>
            ) : null}
          </p>
          {room?.state === 'failed' ? <p className="notice error">{room.failureMessage ?? room.failureReason}</p> : null}
          {following ? (
            <div className="progress">
              <label htmlFor="room-progress">{t('room.progress')}</label>
              <progress id="room-progress" max={STEPS.length} value={step} aria-valuetext={t(`roomState.${room!.state}` as MessageKey)} />
              <span aria-live="polite">{t('room.step', { n: step, of: STEPS.length, state: t(`roomState.${room!.state}` as MessageKey) })}</span>
            </div>
          ) : null}
          {log.length ? (
            <details>
              <summary>{t('room.log')}</summary>
              <ol className="log">
                {log.map((l, i) => (
                  <li key={i}>{l}</li>
                ))}
              </ol>
            </details>
          ) : null}
          <div className="actions">
            {!room || !ACTIVE_ROOM_STATES.includes(room.state) ? (
              <button type="button" onClick={start} disabled={busy} data-action="start-room">
                {t('room.start')}
              </button>
            ) : (
              <button type="button" onClick={stop} disabled={busy || room.state === 'stopping'} data-action="stop-room">
                {t('room.stop')}
              </button>
            )}
            {room?.state === 'running' ? (
              <a
                className="button"
                href={room.driver === 'kubernetes' || room.program === 'stub' ? EP.roomLab(room.id) : EP.roomWelcome(room.id)}
                target="_blank"
                rel="noopener"
                data-action="open-lab"
              >
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
