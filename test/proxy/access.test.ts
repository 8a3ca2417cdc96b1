/**
 * The proxy's access cache on a real control plane (embedded PostgreSQL, demo seed): who may use a
 * room, decisions shared while being made, revocation within the cache's bound. The room itself is
 * a target the test hands in (no sandbox needed: nothing is forwarded).
 */
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessCache, type RoomTarget } from '../../control-plane/src/proxy/index.ts';
import { statusOf } from '../../control-plane/src/http/index.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

describe('room access cache', () => {
  let p: TestPlatform;
  let projectId: string;
  beforeAll(async () => {
    p = await startTestPlatform();
    projectId = ((await p.call('GET', '/api/projects', { as: 'researcher' })).body as { id: string }[])[0]!.id;
  }, 120_000);
  afterAll(async () => {
    await p?.stop();
  });

  /** A cache whose `target` counts its calls and can be held open. */
  function cacheFor(ttlMs: number) {
    const room: RoomTarget = { roomId: 'r-access', projectId, ownerId: 'researcher', running: true, endpoint: { socketPath: '/nonexistent' }, token: 't' };
    const calls = { n: 0 };
    let gate: Promise<void> = Promise.resolve();
    const cache = createAccessCache({
      store: p.deps.store,
      clock: p.clock,
      ttlMs,
      async target() {
        calls.n++;
        await gate;
        return room;
      },
    });
    return { cache, calls, hold: (g: Promise<void>) => (gate = g) };
  }
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } }) as unknown as IncomingMessage;

  it('concurrent requests of one member share the one decision being made, then the cached one', async () => {
    const { cache, calls } = cacheFor(60_000);
    const req = bearer(await p.token('researcher'));
    const decisions = await Promise.all(Array.from({ length: 20 }, () => cache.decide(req, 'r-access')));
    expect({ calls: calls.n, ok: decisions.every((d) => d.ok), same: decisions.every((d) => d === decisions[0]) }).toEqual({ calls: 1, ok: true, same: true });
    expect(cache.peek(req, 'r-access')).toBe(decisions[0]);
    await cache.decide(req, 'r-access');
    expect(calls.n).toBe(1);
  });

  it('different credentials are decided apart: another member is refused while the owner is admitted', async () => {
    const { cache, calls } = cacheFor(60_000);
    const [owner, other, none] = await Promise.all([
      cache.decide(bearer(await p.token('researcher')), 'r-access'),
      cache.decide(bearer(await p.token('lead')), 'r-access'),
      cache.decide(bearer('tre_t_not-a-token'), 'r-access'),
    ]);
    expect([owner.ok, other.ok && 'admitted', !other.ok && other.error.reason, !none.ok && statusOf(none.error).status]).toEqual([
      true,
      false,
      'not_room_owner',
      401,
    ]);
    expect(calls.n).toBe(2);
  });

  it('a decision being made when the room is invalidated is answered but not cached, and later requests decide anew', async () => {
    const { cache, calls, hold } = cacheFor(60_000);
    const req = bearer(await p.token('researcher'));
    let open: () => void = () => undefined;
    hold(new Promise<void>((r) => (open = r)));
    const first = cache.decide(req, 'r-access');
    cache.invalidate('r-access');
    hold(Promise.resolve());
    const second = cache.decide(req, 'r-access');
    open();
    expect([(await first).ok, (await second).ok]).toEqual([true, true]);
    expect(calls.n).toBe(2);
    expect(cache.peek(req, 'r-access')).toBe(await second);
  });

  it('a revoked token is refused once its cached decision is forgotten', async () => {
    const { cache } = cacheFor(60_000);
    const created = await p.call('POST', '/api/me/tokens', { as: 'researcher', body: { name: 'access-test' } });
    const { token, id } = created.body as { token: string; id: string };
    const req = bearer(token);
    expect((await cache.decide(req, 'r-access')).ok).toBe(true);
    expect((await p.call('DELETE', `/api/me/tokens/${id}`, { as: 'researcher' })).status).toBeLessThan(300);
    // Within the cache's bound the cached decision still answers ...
    expect((await cache.decide(req, 'r-access')).ok).toBe(true);
    // ... and once it is gone (expiry or invalidation) the revocation holds.
    cache.invalidate('r-access');
    const after = await cache.decide(req, 'r-access');
    expect(after.ok ? 'admitted' : statusOf(after.error).status).toBe(401);
  });
});
