/** Helpers of the notification tests: rows written since a mark, a live stream read frame by frame, a real SMTP server on loopback. */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { TestPlatform } from '../support/platform.ts';

export interface Row {
  user: string;
  kind: string;
  params: Record<string, string>;
  link: string | null;
}

/** The highest notification id now: rows after it are what a step wrote. */
export async function mark(p: TestPlatform): Promise<number> {
  const [r] = await p.deps.store.query<{ id: string | null }>('SELECT max(id) AS id FROM notifications');
  return Number(r?.id ?? 0);
}

/** Rows written after `since`, by user then kind, as the test compares them. */
export async function rowsSince(p: TestPlatform, since: number): Promise<Row[]> {
  const rows = await p.deps.store.query<{ user_id: string; kind: string; params: Record<string, string>; link: string | null }>(
    'SELECT user_id, kind, params, link FROM notifications WHERE id > $1 ORDER BY user_id, kind, id',
    [since],
  );
  return rows.map((r) => ({ user: r.user_id, kind: r.kind, params: r.params, link: r.link }));
}

export interface Frame {
  event: string;
  data: any;
}

export interface LiveStream {
  status: number;
  /** The next frame of `event` that `where` accepts (frames before it are passed over), or a timeout. */
  next(event: string, where?: (data: any) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Resolves when the server has ended the stream (or it was closed). */
  ended: Promise<void>;
  /** Comment lines seen so far (heartbeats). */
  comments(): string[];
  close(): void;
}

/** Opens `GET /api/notifications/stream` on `baseUrl` with a bearer token and parses its frames. */
export async function openStream(baseUrl: string, token: string): Promise<LiveStream> {
  const abort = new AbortController();
  const res = await fetch(`${baseUrl}/api/notifications/stream`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: abort.signal,
  });
  const frames: Frame[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  let ended: Promise<void> = Promise.resolve();
  if (res.ok && res.body) {
    ended = (async () => {
      const decoder = new TextDecoder();
      let buf = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let at: number;
          while ((at = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, at);
            buf = buf.slice(at + 2);
            let event = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) comments.push(line.slice(1).trim());
              else if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
            }
            if (data.length) frames.push({ event, data: JSON.parse(data.join('\n')) });
            for (const w of waiters) w();
          }
        }
      } catch {
        // aborted by close()
      }
    })();
  }
  return {
    status: res.status,
    ended,
    comments: () => [...comments],
    next(event, where = () => true, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const look = () => {
          const i = frames.findIndex((f) => f.event === event && where(f.data));
          if (i < 0) return false;
          const [f] = frames.splice(0, i + 1).slice(-1);
          waiters.delete(check);
          clearTimeout(timer);
          resolve(f!);
          return true;
        };
        const check = () => void look();
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no '${event}' frame within ${timeoutMs} ms; seen: ${JSON.stringify(frames)}`));
        }, timeoutMs);
        if (!look()) waiters.add(check);
      });
    },
    close: () => abort.abort(),
  };
}

export interface Mail {
  from: string;
  to: string[];
  raw: Buffer;
}

export interface SmtpSink {
  port: number;
  mails: Mail[];
  /** Stops listening (the platform's sends fail until `listen` again). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/** A real SMTP server (smtp-server) on loopback that keeps every message it is given. */
export async function startSmtp(): Promise<SmtpSink> {
  const mails: Mail[] = [];
  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
          });
          callback();
        });
      },
    });
  let server = make();
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
    });
  const port = await listen(0);
  const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    port,
    mails,
    down: stop,
    async up() {
      server = make();
      await listen(port);
    },
    close: stop,
  };
}

/**
 * A message as text: the headers' encoded words (Q or B) and a quoted-printable body decoded,
 * bytes read as UTF-8 at the end (so an 8-bit body reads the same).
 */
export function decodeMail(raw: Buffer): string {
  const bytes = raw.toString('latin1');
  const qp = (s: string) => s.replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  const words = bytes
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?Q\?([^?]*)\?=/gi, (_, q: string) => qp(q.replace(/_/g, ' ')))
    .replace(/=\?UTF-8\?B\?([^?]*)\?=/gi, (_, b: string) => Buffer.from(b, 'base64').toString('latin1'));
  return Buffer.from(qp(words.replace(/=\r?\n/g, '')), 'latin1').toString('utf8');
}
