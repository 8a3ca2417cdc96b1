/**
 * PostgreSQL `LISTEN` on a dedicated connection (a pooled one would be handed to others between
 * queries, and its registrations with it). Notifications are delivered at commit, once per
 * transaction and payload. The connection reconnects after any loss (backing off to `MAX_DELAY_MS`);
 * notifications sent while it was down are lost, so `connected` is called after every (re)connection
 * for the listener to drop whatever it derived from them (a cache). `ready` resolves at the first.
 */
import pg from 'pg';

export interface Listening {
  /** Resolves once the first `LISTEN` is in place. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export interface ListenHandlers {
  notify(payload: string): void;
  /** After each (re)connection: notifications may have been missed meanwhile. */
  connected(): void;
}

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 5_000;

export function listenOn(config: pg.ClientConfig, channel: string, on: ListenHandlers): Listening {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
  let client: pg.Client | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let delay = FIRST_DELAY_MS;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  async function connect(): Promise<void> {
    timer = undefined;
    if (closed) return;
    const c = new pg.Client({ ...config, application_name: `analyserom-listen-${channel}` });
    client = c;
    let lost = false;
    const retry = () => {
      if (lost) return;
      lost = true;
      c.removeAllListeners('notification');
      c.end().catch(() => undefined);
      if (client === c) client = undefined;
      if (closed) return;
      timer = setTimeout(() => void connect(), delay);
      timer.unref();
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    };
    c.on('error', retry);
    c.on('end', retry);
    c.on('notification', (m) => {
      if (m.channel === channel) on.notify(m.payload ?? '');
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch {
      retry();
      return;
    }
    if (closed || lost) return;
    delay = FIRST_DELAY_MS;
    on.connected();
    markReady();
  }

  void connect();
  return {
    ready,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      if (!c) return;
      c.removeAllListeners();
      c.on('error', () => undefined);
      await c.end().catch(() => undefined);
    },
  };
}
