/**
 * The fake API server speaks the real protocol: these check its answers as raw HTTP, the shapes a
 * real API server gives (Status bodies, list kinds, watch event lines, 410 after compaction), so the
 * driver tests that rely on it test against something faithful.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../rooms/fake-kube-apiserver.ts';

let fake: FakeKubeApiServer;
beforeAll(async () => {
  fake = await startFakeKubeApiServer({ podStartDelayMs: 20, pvcBindDelayMs: 5 });
});
afterAll(async () => {
  await fake.close();
});

const auth = { authorization: 'Bearer fake-service-account-token', 'content-type': 'application/json' };
const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${fake.url}${path}`, { method, headers: auth, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
};
const svc = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, labels },
  spec: { selector: { app: name }, ports: [{ port: 80 }] },
});

/** Reads watch lines until `count` events arrived. */
async function watchEvents(path: string, count: number): Promise<any[]> {
  const ctrl = new AbortController();
  const res = await fetch(`${fake.url}${path}`, { headers: auth, signal: ctrl.signal });
  const reader = res.body!.getReader();
  const events: any[] = [];
  let buf = '';
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += new TextDecoder().decode(value);
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      events.push(JSON.parse(buf.slice(0, nl)));
      buf = buf.slice(nl + 1);
    }
  }
  ctrl.abort();
  return events;
}

describe('fake Kubernetes API server', () => {
  it('401 without the bearer token', async () => {
    const res = await fetch(`${fake.url}/api/v1/namespaces/ns/pods`);
    expect(res.status).toBe(401);
  });

  it('creates with server-set metadata and defaults, 409 AlreadyExists on a second create', async () => {
    const created = await call('POST', '/api/v1/namespaces/ns/services', svc('web'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'ns', uid: expect.any(String), resourceVersion: expect.any(String), creationTimestamp: expect.stringMatching(/Z$/) },
    });
    expect(created.body.spec).toMatchObject({ type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] });
    const again = await call('POST', '/api/v1/namespaces/ns/services', svc('web'));
    expect(again).toEqual({
      status: 409,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'services "web" already exists',
        reason: 'AlreadyExists',
        details: { name: 'web', kind: 'services' },
        code: 409,
      },
    });
  });

  it('422 Invalid for a field the API does not define', async () => {
    const res = await call('POST', '/api/v1/namespaces/ns/services', { ...svc('typo'), spec: { selectr: {} } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422 });
    expect(res.body.message).toContain('.spec.selectr: unknown field of V1ServiceSpec');
  });

  it('lists as <Kind>List with a resourceVersion, items without kind, filtered by label selector, paged', async () => {
    await call('POST', '/api/v1/namespaces/ns/services', svc('a1', { tier: 'a' }));
    await call('POST', '/api/v1/namespaces/ns/services', svc('a2', { tier: 'a' }));
    const list = await call('GET', '/api/v1/namespaces/ns/services?labelSelector=tier%3Da');
    expect(list.body.kind).toBe('ServiceList');
    expect(list.body.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(list.body.items.map((i: any) => [i.metadata.name, i.kind])).toEqual([
      ['a1', undefined],
      ['a2', undefined],
    ]);
    const page = await call('GET', '/api/v1/namespaces/ns/services?labelSelector=tier%20in%20(a)&limit=1');
    expect(page.body.items).toHaveLength(1);
    expect(page.body.metadata.remainingItemCount).toBe(1);
    const rest = await call('GET', `/api/v1/namespaces/ns/services?labelSelector=tier%3Da&limit=1&continue=${page.body.metadata.continue}`);
    expect(rest.body.items.map((i: any) => i.metadata.name)).toEqual(['a2']);
  });

  it('watches from a resourceVersion as newline-delimited events, and answers 410 Expired after compaction', async () => {
    const list = await call('GET', '/apis/networking.k8s.io/v1/namespaces/ns/networkpolicies');
    const rv = list.body.metadata.resourceVersion;
    const np = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny' }, spec: { podSelector: {}, policyTypes: ['Egress'] } };
    await call('POST', '/apis/networking.k8s.io/v1/namespaces/ns/networkpolicies', np);
    const del = await call('DELETE', '/apis/networking.k8s.io/v1/namespaces/ns/networkpolicies/deny');
    expect(del.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'deny' } });
    const events = await watchEvents(`/apis/networking.k8s.io/v1/namespaces/ns/networkpolicies?watch=true&resourceVersion=${rv}`, 2);
    expect(events.map((e) => [e.type, e.object.kind, e.object.metadata.name])).toEqual([
      ['ADDED', 'NetworkPolicy', 'deny'],
      ['DELETED', 'NetworkPolicy', 'deny'],
    ]);
    fake.compact();
    const expired = await watchEvents(`/apis/networking.k8s.io/v1/namespaces/ns/networkpolicies?watch=true&resourceVersion=${rv}`, 1);
    expect(expired).toEqual([{ type: 'ERROR', object: expect.objectContaining({ kind: 'Status', reason: 'Expired', code: 410 }) }]);
  });

  it('runs a pod Pending → Running with Ready once its claim is bound, deletes it gracefully', async () => {
    await call('POST', '/api/v1/namespaces/ns/persistentvolumeclaims', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'home' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'i' }], volumes: [{ name: 'h', persistentVolumeClaim: { claimName: 'home' } }] },
    };
    const created = await call('POST', '/api/v1/namespaces/ns/pods', pod);
    expect(created.body.status.phase).toBe('Pending');
    const events = await watchEvents(`/api/v1/namespaces/ns/pods?watch=1&resourceVersion=${created.body.metadata.resourceVersion}`, 1);
    expect(events[0].object.status.phase).toBe('Running');
    expect(events[0].object.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));
    const del = await call('DELETE', '/api/v1/namespaces/ns/pods/p');
    expect(del.body.metadata.deletionTimestamp).toEqual(expect.any(String));
    await new Promise((r) => setTimeout(r, 200));
    expect((await call('GET', '/api/v1/namespaces/ns/pods/p')).status).toBe(404);
  });
});
