/**
 * The audit log as the record of what was tried: requests refused before any route saw them are
 * in it, and an edited checkpoint file is refused by the offline verifier instead of vouching for
 * what its key never signed. Real platform, real `tre`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { runTre } from '../support/tre.ts';

let p: TestPlatform;
const dir = mkdtempSync(join(tmpdir(), 'tre-sec-audit-'));

beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(() => p?.stop());

const entriesOf = (requestId: string | null) =>
  p.deps.store.query('SELECT actor, action, object, outcome, reason, client_address, details FROM audit_log WHERE request_id = $1 ORDER BY seq', [requestId]);

describe('malformed and refused requests are audited', () => {
  it('a body that is not JSON: a failure entry naming the caller, the reason and the request id', async () => {
    const res = await fetch(`${p.url}/api/me/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await p.token('researcher')}` },
      body: '{"name": "x",',
    });
    expect(res.status).toBe(400);
    expect(await entriesOf(res.headers.get('x-request-id'))).toEqual([
      {
        // Bodies are parsed by the route once the caller is known (http/body.ts), so the route's own entry records it.
        actor: 'researcher',
        action: 'token.create',
        object: '',
        outcome: 'failure',
        reason: expect.stringMatching(/JSON/),
        client_address: '127.0.0.1',
        details: {},
      },
    ]);
  });

  it('an anonymous malformed login is audited as anonymous', async () => {
    const res = await fetch(`${p.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(res.status).toBe(400);
    expect(await entriesOf(res.headers.get('x-request-id'))).toMatchObject([
      { actor: 'anonymous', action: 'auth.login', outcome: 'failure', reason: expect.stringMatching(/JSON/) },
    ]);
  });

  it('a change from a foreign origin: a denied entry with the session’s user', async () => {
    const login = await fetch(`${p.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'lead', password: 'demo' }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const res = await p.call('POST', '/api/me/tokens', {
      headers: { cookie, 'x-csrf-token': csrfToken, origin: 'https://evil.example' },
      body: { name: 'stolen' },
    });
    expect([res.status, res.body.reason]).toEqual([403, 'bad_origin']);
    expect(await entriesOf(res.headers.get('x-request-id'))).toEqual([
      {
        actor: 'lead',
        action: 'http.refused',
        object: 'route:POST /api/me/tokens',
        outcome: 'denied',
        reason: 'cross-origin request refused',
        client_address: '127.0.0.1',
        details: { reason: 'bad_origin' },
      },
    ]);
  });

  it('an unknown API route: a failure entry too', async () => {
    const res = await p.call('GET', '/api/admin/secrets?x=1', { as: 'researcher' });
    expect(res.status).toBe(404);
    expect(await entriesOf(res.headers.get('x-request-id'))).toMatchObject([
      {
        actor: 'researcher',
        action: 'http.refused',
        object: 'route:GET /api/admin/secrets',
        outcome: 'failure',
        details: { reason: 'no_such_route' },
      },
    ]);
  });
});

describe('tre audit verify and a checkpoint file', () => {
  it('refuses a checkpoint file whose plain size or root disagrees with its signed note; the untouched file verifies', async () => {
    const env = { TRE_URL: p.url, TRE_TOKEN: await p.token('auditor'), TRE_CONFIG_DIR: dir };
    for (const u of ['researcher', 'lead']) await p.call('GET', '/api/projects', { as: u });
    await p.call('POST', '/api/audit/checkpoints', { as: 'auditor' });
    const exported = join(dir, 'audit.jsonl');
    expect((await runTre(['audit', 'export', '--format', 'jsonl', '--out', exported], env)).code).toBe(0);
    const cp = await runTre(['audit', 'checkpoint', '--json'], env);
    writeFileSync(join(dir, 'cp.json'), cp.stdout);
    writeFileSync(join(dir, 'key.pem'), (await runTre(['audit', 'public-key'], env)).stdout);
    const verify = (checkpoint: string) =>
      runTre(['audit', 'verify', '--file', exported, '--public-key', join(dir, 'key.pem'), '--checkpoint', checkpoint, '--json'], env);

    const ok = await verify(join(dir, 'cp.json'));
    expect([ok.code, ok.json.ok]).toEqual([0, true]);

    const original = JSON.parse(readFileSync(join(dir, 'cp.json'), 'utf8'));
    const shorter = { ...original, treeSize: original.treeSize - 3 };
    const otherRoot = { ...original, rootHash: 'ab'.repeat(32) };
    for (const [name, edited] of [
      ['size', shorter],
      ['root', otherRoot],
    ] as const) {
      const file = join(dir, `cp-${name}.json`);
      writeFileSync(file, JSON.stringify(edited));
      const res = await verify(file);
      expect([name, res.code, res.json.ok, res.json.failure.kind]).toEqual([name, 1, false, 'checkpoint-mismatch']);
    }

    const entry = join(dir, 'entry.json');
    const proof = join(dir, 'proof.json');
    const inc = (await p.call('GET', `/api/audit/proofs/inclusion?seq=1&treeSize=${original.treeSize}`, { as: 'auditor' })).body;
    writeFileSync(entry, JSON.stringify(inc.entry));
    writeFileSync(proof, JSON.stringify(inc.proof));
    const inclusion = (checkpoint: string) =>
      runTre(
        ['audit', 'verify-inclusion', '--entry', entry, '--proof', proof, '--checkpoint', checkpoint, '--public-key', join(dir, 'key.pem'), '--json'],
        env,
      );
    expect((await inclusion(join(dir, 'cp.json'))).code).toBe(0);
    const refused = await inclusion(join(dir, 'cp-size.json'));
    expect([refused.code, refused.json.error.message]).toEqual([1, expect.stringMatching(/treeSize .* is not what its signed note says/)]);
  });
});
