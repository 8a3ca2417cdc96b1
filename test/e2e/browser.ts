/**
 * A real Chromium (Debian's `chromium` package) driven by playwright-core, one browser context
 * per person so each has their own session cookie, and a screenshot of every page visited
 * under `test/artifacts/e2e/`.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';

/** Browser globals used inside `page.evaluate` callbacks (this repo type-checks tests without the DOM library). */
declare const document: any;

export const ARTIFACTS = fileURLToPath(new URL('../artifacts/e2e/', import.meta.url));
const ARTIFACTS_ROOT = ARTIFACTS;
let artifacts = ARTIFACTS_ROOT;

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts Chromium; screenshots go to `test/artifacts/e2e/<suite>/`, emptied first. */
export async function launchBrowser(suite: string): Promise<Browser> {
  artifacts = join(ARTIFACTS_ROOT, suite);
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  // launch() gives every run a fresh temporary user-data-dir of its own.
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

export interface Session {
  context: BrowserContext;
  page: Page;
  user: string;
  /** Every JSON body the page received from the API: what counts as data, not labels, in language checks. */
  data: unknown[];
  /** Goes to a path, waits for the page to settle, saves a screenshot named `<user>-<name>`. */
  visit(path: string, name?: string): Promise<void>;
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

let shotSeq = 0;

/**
 * Requests in flight per session's context, server-sent event streams left out: a signed-in page
 * holds its notification stream open for good, so Playwright's `networkidle` would never come.
 */
const inFlight = new WeakMap<BrowserContext, Set<Request>>();

function trackRequests(context: BrowserContext): void {
  const open = new Set<Request>();
  inFlight.set(context, open);
  context.on('request', (r) => {
    if (!(r.headers().accept ?? '').includes('text/event-stream')) open.add(r);
  });
  const done = (r: Request) => open.delete(r);
  context.on('requestfinished', done);
  context.on('requestfailed', done);
}

export async function openSession(browser: Browser, baseUrl: string, user: string, opts: { lang?: 'nb' | 'en'; login?: boolean } = {}): Promise<Session> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1366, height: 800 }, locale: opts.lang === 'en' ? 'en-GB' : 'nb-NO' });
  context.setDefaultTimeout(10_000);
  trackRequests(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const data: unknown[] = [];
  context.on('response', async (r) => {
    if (r.url().includes('/api/') && (r.headers()['content-type'] ?? '').includes('json')) data.push(await r.json().catch(() => null));
  });
  const s: Session = {
    context,
    page,
    user,
    data,
    async shot(name) {
      shotSeq += 1;
      const file = `${String(shotSeq).padStart(3, '0')}-${user}-${name.replace(/[^A-Za-z0-9_.-]+/g, '-')}.png`;
      await page.screenshot({ path: join(artifacts, file), fullPage: true });
    },
    async visit(path, name) {
      await page.goto(path);
      await settle(page);
      await s.shot(name ?? (path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'home'));
    },
    async close() {
      await context.close();
      if (errors.length) throw new Error(`page errors for ${user}: ${errors.join('; ')}`);
    },
  };
  if (opts.login !== false) await login(page, user);
  return s;
}

/** Waits until nothing but event streams has been in flight for half a second, then until no "Loading…" status is left on the page. */
export async function settle(page: Page): Promise<void> {
  const open = inFlight.get(page.context());
  if (!open) await page.waitForLoadState('networkidle');
  else {
    await page.waitForLoadState('load');
    const deadline = Date.now() + 30_000;
    let quietSince = Date.now();
    while (Date.now() - quietSince < 500) {
      if (Date.now() > deadline) throw new Error(`requests still in flight: ${[...open].map((r) => r.url()).join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
      if (open.size > 0) quietSince = Date.now();
    }
  }
  await page.waitForFunction(() => !document.querySelector('main p[role="status"].muted'), null, { timeout: 10_000 });
}

export async function login(page: Page, user: string, password = 'demo'): Promise<void> {
  await page.goto('/');
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(password);
  await page.locator('form button[type="submit"]').click();
  await page.locator('nav.sidenav').waitFor();
  await settle(page);
}
