/**
 * A Bearer header decides alone on the platform's API, as it does on room hosts
 * (`proxy/credential.ts`): an empty or whitespace bearer beside a valid session cookie is no
 * credential, so a cache or a check keyed on the header can never disagree with who was let in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let p: TestPlatform;
let cookie: string;

beforeAll(async () => {
  p = await startTestPlatform();
  const res = await fetch(`${p.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'researcher', password: 'demo' }),
  });
  expect(res.status).toBe(200);
  cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
});
afterAll(() => p?.stop());

describe('a Bearer header decides alone', () => {
  it('401 for an unusable bearer beside a valid session cookie; 200 with the cookie alone or a real token', async () => {
    const me = (headers: Record<string, string>) => fetch(`${p.url}/api/me`, { headers }).then((r) => r.status);
    expect(await me({ cookie })).toBe(200);
    for (const authorization of ['Bearer ', 'Bearer \u00a0', 'Bearer  \t', 'bearer', 'Bearer a b', 'BEARER ']) {
      expect([authorization, await me({ cookie, authorization })]).toEqual([authorization, 401]);
    }
    expect(await me({ authorization: `Bearer ${await p.token('researcher')}` })).toBe(200);
  });
});
