/**
 * The Kubernetes driver against a fake API server on loopback (`fake-kube-apiserver.ts`): the real
 * client-node informers and API clients, the real REST paths and object shapes; the fake's kubelet
 * and volume provisioner move pods and claims along. No container runs, so what a cluster enforces
 * (network isolation by the CNI, mounts and limits by the kubelet and runtime) is asserted as the
 * exact shape of the objects the API server received, and the conformance cases that need a running
 * server are skipped with that reason.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createKubernetesDriver, roomNames, type RoomDriver, type RoomObservation, type RoomSpec } from '../../control-plane/src/rooms/index.ts';
import { runDriverConformance, waitFor } from './conformance.ts';
import { startFakeKubeApiServer, type FakeKubeApiServer } from './fake-kube-apiserver.ts';

const NS = 'analyserom-rooms';
const IMAGE = 'analyserom/room:test';
let fake: FakeKubeApiServer;
const drivers: RoomDriver[] = [];
const owners = new Map<RoomDriver, string>();
/** Name of a room's objects as the given driver creates them. */
const nameOf = (d: RoomDriver, roomId: string) => roomNames(owners.get(d)!, roomId).name;

beforeAll(async () => {
  fake = await startFakeKubeApiServer({ podStartDelayMs: 30, pvcBindDelayMs: 10, unpullableImage: 'analyserom/room:missing' });
});
afterAll(async () => {
  for (const d of drivers) await d.close?.();
  await fake.close();
});

function driver(ownerId: string, image = IMAGE): RoomDriver {
  const d = createKubernetesDriver({ ownerId, kubeConfig: fake.kubeConfig(), namespace: NS, image, apiTimeoutMs: 10_000 });
  drivers.push(d);
  owners.set(d, ownerId);
  return d;
}

/** The data copy a room mounts is a claim made by the data-copy side; here it is seeded. */
function dataClaim(name: string): string {
  if (!fake.list('persistentvolumeclaims', NS).some((p) => p.metadata.name === name)) {
    fake.seedObject('persistentvolumeclaims', {
      metadata: { name, namespace: NS },
      spec: { accessModes: ['ReadOnlyMany'], resources: { requests: { storage: '1Gi' } } },
    });
  }
  return `pvc:${name}`;
}

const NEEDS_SERVER = 'needs the room server answering over the endpoint; the fake API server runs no containers';
runDriverConformance('kubernetes', ({ ownerId }) => driver(ownerId), {
  makeSpec: (roomId, base) => ({
    ...base,
    dataDir: dataClaim(`data-${roomId}`),
    homeDir: 'unused',
    outputsDir: 'unused',
    importsDir: 'unused',
    socketDir: 'unused',
  }),
  skip: {
    'the server refuses requests without the token': NEEDS_SERVER,
    'a new driver instance re-adopts a running room from saved state': `${NEEDS_SERVER} (re-adoption without the in-room probe is tested below)`,
    'no network: a port open on the host loopback is unreachable':
      "network isolation is enforced by the cluster's CNI from the NetworkPolicy, not testable without a cluster; the policy's exact shape is asserted below",
    'no network: host names do not resolve and only loopback exists':
      'enforced by the CNI (NetworkPolicy without egress) and dnsPolicy None; shapes asserted below',
    '/data is readable and read-only, /imports read-only': 'mounts are made by the kubelet; the readOnly volume and mounts are asserted below',
    '/outputs and home are writable': 'mounts are made by the kubelet; the sub-path mounts of the home claim are asserted below',
    'home survives a room restart': "persistence is the claim's; that stop never deletes the home claim is asserted below",
    'other rooms are invisible: their data, socket and processes':
      "pod isolation is the runtime's; per-room claims, policy selectors and no shared volumes are asserted below",
    'host processes are invisible': 'hostPID false is asserted below; the runtime enforces it',
    "the control plane's data directory is unreadable": 'the control plane runs in another pod and namespace; no hostPath volume is asserted below',
    'no capabilities, no new privileges, seccomp filter on, no new namespaces':
      'enforced by the runtime from the securityContext, asserted field by field below',
    'limits are applied': 'enforced by the kubelet from resources.limits, asserted below',
    'a room whose server exits is reported failed and start recovers it': `${NEEDS_SERVER} to kill it; a pod the kubelet reports terminated is tested below`,
    'JupyterLab answers 200 over the endpoint with download and export disabled': NEEDS_SERVER,
    "the control plane's channel: /run/analyserom is read-only, its socket reachable, ANALYSEROM_* set":
      'Kubernetes rooms mount no host folder: their channel is the relay container in the pod, whose rendering is asserted below and whose code runs for real in channel-relay.test.ts',
  },
});

let seq = 0;
function spec(label: string, over: Partial<RoomSpec> = {}): RoomSpec {
  const roomId = `k8s-${label}-${++seq}`;
  return {
    roomId,
    projectId: 'Project 7 (registry study)',
    dataDir: dataClaim(`data-${label}`),
    homeDir: 'unused',
    outputsDir: 'unused',
    importsDir: 'unused',
    socketDir: 'unused',
    limits: { memoryBytes: 2 * 1024 ** 3, cpuMillis: 1500, pids: 256 },
    jupyterToken: 'k'.repeat(48),
    relaySecret: 'r'.repeat(64),
    baseUrl: `/rooms/${roomId}/`,
    program: 'jupyterlab',
    ...over,
  };
}
async function pollUntil(d: RoomDriver, roomId: string, pred: (o: RoomObservation) => boolean, timeoutMs = 5000): Promise<RoomObservation> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const o = await d.poll(roomId);
    if (pred(o) || Date.now() > deadline) return o;
    await new Promise((r) => setTimeout(r, 20));
  }
}
const one = (resource: string, name: string) => fake.list(resource, NS).find((o) => o.metadata.name === name);

describe('kubernetes driver: objects as the API server receives them', () => {
  let s: RoomSpec;
  let d: RoomDriver;
  beforeAll(async () => {
    d = driver('shapes');
    s = spec('shape');
    await d.start(s);
    await waitFor(d, s.roomId, 'running', 10_000);
  });

  it('creates the NetworkPolicy first and the pod last', () => {
    const creates = fake.requests.filter((r) => r.verb === 'create' && r.name === undefined).map((r) => r.resource);
    const mine = creates.slice(creates.lastIndexOf('networkpolicies'));
    expect(mine).toEqual(['networkpolicies', 'persistentvolumeclaims', 'secrets', 'services', 'pods']);
  });

  it('the NetworkPolicy denies all egress and admits only control-plane pods on 8888 (Jupyter) and 8889 (the channel relay)', () => {
    const np = one('networkpolicies', nameOf(d, s.roomId))!;
    expect(np.spec).toEqual({
      podSelector: { matchLabels: { 'analyserom.room-id': s.roomId } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'analyserom' } },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'analyserom-control-plane' } },
            },
          ],
          ports: [
            { protocol: 'TCP', port: 8888 },
            { protocol: 'TCP', port: 8889 },
          ],
        },
      ],
      egress: [],
    });
  });

  it('the pod runs non-root, read-only, seccomp RuntimeDefault, no token, no capabilities, with limits', () => {
    const pod = one('pods', nameOf(d, s.roomId))!;
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect([pod.spec.hostNetwork, pod.spec.hostPID, pod.spec.hostIPC]).toEqual([false, false, false]);
    expect(pod.spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.spec.dnsPolicy).toBe('None');
    for (const c of [...pod.spec.initContainers, ...pod.spec.containers]) {
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        privileged: false,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(c.resources.limits).toEqual(c.resources.requests);
    }
    expect(pod.spec.containers[0].resources.limits).toEqual({ cpu: '1500m', memory: String(2 * 1024 ** 3) });
    expect(pod.spec.volumes.some((v: any) => v.hostPath)).toBe(false);
  });

  it("mounts the data copy read-only and home, outputs and imports from the room's own claim", () => {
    const pod = one('pods', nameOf(d, s.roomId))!;
    expect(pod.spec.containers[0].volumeMounts).toEqual([
      { name: 'data', mountPath: '/data', readOnly: true },
      { name: 'home', mountPath: '/home/researcher', subPath: 'home' },
      { name: 'home', mountPath: '/outputs', subPath: 'outputs' },
      { name: 'home', mountPath: '/imports', subPath: 'imports', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'channel', mountPath: '/run/analyserom', readOnly: true },
    ]);
    expect(pod.spec.volumes.slice(0, 2)).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: 'data-shape', readOnly: true } },
      { name: 'home', persistentVolumeClaim: { claimName: `${nameOf(d, s.roomId)}-home` } },
    ]);
  });

  it('keeps the token in a Secret, not in the pod spec', () => {
    const pod = one('pods', nameOf(d, s.roomId))!;
    expect(JSON.stringify(pod)).not.toContain(s.jupyterToken);
    expect(pod.spec.containers[0].env[0]).toEqual({
      name: 'JUPYTER_TOKEN',
      valueFrom: { secretKeyRef: { name: `${nameOf(d, s.roomId)}-token`, key: 'JUPYTER_TOKEN' } },
    });
    expect(Buffer.from(one('secrets', `${nameOf(d, s.roomId)}-token`)!.data.JUPYTER_TOKEN, 'base64').toString()).toBe(s.jupyterToken);
  });

  it("runs the channel relay beside Jupyter: its secret from the Secret, its socket read-only in Jupyter's container", () => {
    const pod = one('pods', nameOf(d, s.roomId))!;
    const [jupyter, channel] = pod.spec.containers;
    expect(channel.name).toBe('channel');
    expect(channel.command).toEqual(['/usr/bin/python3', '/usr/local/lib/analyserom/channel-relay.py', 'tcp:0.0.0.0:8889', '/run/analyserom/api.sock']);
    expect(channel.env[0]).toEqual({
      name: 'ANALYSEROM_RELAY_SECRET',
      valueFrom: { secretKeyRef: { name: `${nameOf(d, s.roomId)}-token`, key: 'ANALYSEROM_RELAY_SECRET' } },
    });
    expect(channel.volumeMounts).toEqual([{ name: 'channel', mountPath: '/run/analyserom' }]);
    expect(Object.fromEntries(jupyter.env.filter((e: any) => e.name.startsWith('ANALYSEROM_')).map((e: any) => [e.name, e.value]))).toEqual({
      ANALYSEROM_API: '/run/analyserom/api.sock',
      ANALYSEROM_PROJECT: s.projectId,
      ANALYSEROM_OUTPUTS: '/outputs',
    });
    expect(pod.spec.volumes.find((v: any) => v.name === 'channel')).toEqual({ name: 'channel', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    const secret = one('secrets', `${nameOf(d, s.roomId)}-token`)!;
    const relaySecret = Buffer.from(secret.data.ANALYSEROM_RELAY_SECRET, 'base64').toString();
    expect(relaySecret).toBe(s.relaySecret);
    // Not derivable from what the room's own code can read (its Jupyter token, as it once was).
    expect(relaySecret).not.toBe(createHmac('sha256', s.jupyterToken).update('analyserom-relay').digest('hex'));
  });

  it('labels every object with room, project and owner, the full project id in an annotation', () => {
    for (const [res, name] of [
      ['pods', ''],
      ['services', ''],
      ['networkpolicies', ''],
      ['persistentvolumeclaims', '-home'],
      ['secrets', '-token'],
    ] as const) {
      const o = one(res, `${nameOf(d, s.roomId)}${name}`)!;
      expect(o.metadata.labels['analyserom.room-id']).toBe(s.roomId);
      expect(o.metadata.labels['analyserom.owner']).toBe('shapes');
      expect(o.metadata.labels['analyserom.project-id']).toMatch(/^sha256-[0-9a-f]{48}$/);
      expect(o.metadata.annotations['analyserom.project-id']).toBe(s.projectId);
    }
  });

  it("reports a TCP endpoint at the room's Service and keeps the home claim on stop", async () => {
    expect((await d.poll(s.roomId)).endpoint).toEqual({ kind: 'tcp', host: `${nameOf(d, s.roomId)}.${NS}.svc`, port: 8888 });
    expect(one('services', nameOf(d, s.roomId))!.spec.ports).toEqual([
      { name: 'jupyter', port: 8888, targetPort: 'jupyter', protocol: 'TCP' },
      { name: 'channel', port: 8889, targetPort: 'channel', protocol: 'TCP' },
    ]);
    await d.stop(s.roomId);
    expect(
      ['pods', 'services', 'networkpolicies', 'secrets'].map(
        (r) => fake.list(r, NS).filter((o) => o.metadata.labels?.['analyserom.room-id'] === s.roomId).length,
      ),
    ).toEqual([0, 0, 0, 0]);
    expect(one('persistentvolumeclaims', `${nameOf(d, s.roomId)}-home`)).toBeDefined();
  });
});

describe('kubernetes driver: fail closed and observed by informers', () => {
  it('is not reported running without its NetworkPolicy, nor with an altered one', async () => {
    const d = driver('failclosed');
    const s = spec('np');
    await d.start(s);
    await waitFor(d, s.roomId, 'running', 10_000);
    const np = one('networkpolicies', nameOf(d, s.roomId))!;
    fake.removeObject('networkpolicies', NS, np.metadata.name);
    expect(await pollUntil(d, s.roomId, (o) => o.state !== 'running')).toMatchObject({ state: 'failed', reason: 'network_policy_missing' });
    const { uid: _u, resourceVersion: _r, ...meta } = np.metadata;
    fake.seedObject('networkpolicies', { ...np, metadata: meta, spec: { ...np.spec, egress: [{}] } }); // allow-all egress
    expect(await pollUntil(d, s.roomId, (o) => o.reason !== 'network_policy_missing')).toMatchObject({ state: 'failed', reason: 'network_policy_changed' });
    // start replaces the altered policy before anything else.
    await d.stop(s.roomId);
    await d.start(s);
    await waitFor(d, s.roomId, 'running', 10_000);
    expect(one('networkpolicies', nameOf(d, s.roomId))!.spec.egress).toEqual([]);
    await d.stop(s.roomId);
  });

  it('polls from its caches: no API request per poll', async () => {
    const d = driver('nopoll');
    const s = spec('cache');
    await d.start(s);
    await waitFor(d, s.roomId, 'running', 10_000);
    const before = fake.requests.length;
    for (let i = 0; i < 20; i++) await d.poll(s.roomId);
    await d.listOwned();
    expect(fake.requests.slice(before)).toEqual([]);
    await d.stop(s.roomId);
  });

  it('keeps observing after the API server ends its watches, and re-lists after 410 Expired', async () => {
    const d = driver('rewatch');
    const s = spec('watch');
    await d.start(s);
    await waitFor(d, s.roomId, 'running', 10_000);
    const lists = () => fake.requests.filter((r) => r.verb === 'list').length;
    const listsBefore = lists();
    fake.closeWatches();
    await new Promise((r) => setTimeout(r, 200));
    fake.failPod(NS, nameOf(d, s.roomId), 'Error', 'exit 1');
    expect((await waitFor(d, s.roomId, 'failed', 5000)).reason).toBe('exited');
    fake.compact();
    fake.closeWatches();
    // The informers re-list once their resumed watch gets 410; on a loaded machine that takes a while.
    for (let i = 0; i < 100 && lists() <= listsBefore; i++) await new Promise((r) => setTimeout(r, 50));
    expect(lists()).toBeGreaterThan(listsBefore);
    await d.stop(s.roomId);
    expect((await d.poll(s.roomId)).state).toBe('stopped');
  });

  it('reports an OOM-killed pod failed with reason out_of_memory, and start recovers it', async () => {
    const d = driver('oom');
    const s = spec('oom');
    await d.start(s);
    await waitFor(d, s.roomId, 'running', 10_000);
    const firstUid = one('pods', nameOf(d, s.roomId))!.metadata.uid;
    fake.failPod(NS, nameOf(d, s.roomId), 'OOMKilled', '');
    expect(await waitFor(d, s.roomId, 'failed', 5000)).toMatchObject({ state: 'failed', reason: 'out_of_memory' });
    await d.start(s);
    const again = await waitFor(d, s.roomId, 'running', 10_000);
    expect(again.state).toBe('running');
    expect(one('pods', nameOf(d, s.roomId))!.metadata.uid).not.toBe(firstUid);
    await d.stop(s.roomId);
  });

  it('reports a room whose channel relay ended as failed, though its pod still runs', async () => {
    const d = driver('relay');
    const s = spec('relay');
    await d.start(s);
    await waitFor(d, s.roomId, 'running', 10_000);
    fake.endContainer(NS, nameOf(d, s.roomId), 'channel', 1);
    expect(await waitFor(d, s.roomId, 'failed', 5000)).toMatchObject({ state: 'failed', reason: 'exited', message: 'container channel ended: Error' });
    await d.stop(s.roomId);
  });

  it('reports an image the nodes cannot pull as failed with reason image_missing', async () => {
    const d = driver('noimage', 'analyserom/room:missing');
    const s = spec('img');
    await d.start(s);
    expect(await waitFor(d, s.roomId, 'failed', 5000)).toMatchObject({ reason: 'image_missing' });
    await d.stop(s.roomId);
  });

  it('a new driver instance re-adopts a room from saved state and flags a pod re-created behind its back', async () => {
    const first = driver('adopt');
    const s = spec('adopt');
    await first.start(s);
    await waitFor(first, s.roomId, 'running', 10_000);
    const saved = JSON.parse(JSON.stringify(first.getState(s.roomId)));
    expect(saved).toMatchObject({ driver: 'kubernetes', version: 1, namespace: NS, podName: nameOf(first, s.roomId) });
    const second = driver('adopt');
    second.loadState(s.roomId, saved);
    const obs = await second.poll(s.roomId);
    expect(obs.state).toBe('running');
    expect(obs.stateChanged).toBeUndefined();
    const pod = one('pods', nameOf(first, s.roomId))!;
    fake.removeObject('pods', NS, pod.metadata.name);
    const {
      metadata: { uid: _u, resourceVersion: _r, ...meta },
      status: _s,
      ...rest
    } = pod;
    fake.seedObject('pods', { ...rest, metadata: meta, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } });
    await new Promise((r) => setTimeout(r, 200));
    const after = await second.poll(s.roomId);
    expect(after.stateChanged).toBe(true);
    expect(second.getState(s.roomId)!.podUid).not.toBe(saved.podUid);
    await second.stop(s.roomId);
  });

  it('reports an unreachable API server as unavailable, not as a crash', async () => {
    const gone = await startFakeKubeApiServer();
    const kubeConfig = gone.kubeConfig();
    await gone.close();
    const d = createKubernetesDriver({ ownerId: 'gone', kubeConfig, namespace: NS, image: IMAGE, apiTimeoutMs: 500 });
    drivers.push(d);
    await expect(d.poll('k8s-any')).rejects.toMatchObject({ reason: 'kubernetes_unavailable' });
  });

  it('refuses a data directory that is not a claim name', async () => {
    const d = driver('input');
    await expect(d.start(spec('bad', { dataDir: '/srv/host/path' }))).rejects.toMatchObject({ reason: 'data_volume_invalid' });
  });
});

describe('kubernetes driver: RBAC', () => {
  it('every request the driver made is allowed by k8s/base/rbac.yaml, and every granted verb was used', () => {
    const docs = readFileSync(join(import.meta.dirname, '../../k8s/base/rbac.yaml'), 'utf8')
      .split(/^---$/m)
      .map((d) => parse(d));
    const role = docs.find((d) => d.kind === 'Role');
    expect(role.metadata.namespace).toBe(NS);
    const granted = new Set<string>();
    for (const rule of role.rules) for (const g of rule.apiGroups) for (const r of rule.resources) for (const v of rule.verbs) granted.add(`${g}/${r}/${v}`);
    const driverRequests = fake.requests.filter((r) => r.namespace === NS);
    const used = new Set(driverRequests.map((r) => `${r.group}/${r.resource}/${r.verb}`));
    expect([...used].filter((u) => !granted.has(u))).toEqual([]);
    expect([...granted].filter((g) => !used.has(g)).sort()).toEqual([]);
    expect(fake.requests.every((r) => r.namespace === NS)).toBe(true);
  });
});
