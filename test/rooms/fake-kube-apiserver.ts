/**
 * A fake Kubernetes API server on 127.0.0.1 for testing the Kubernetes room driver without a cluster.
 *
 * It speaks the real REST paths and object shapes for pods, services, persistentvolumeclaims,
 * secrets (core/v1) and networkpolicies (networking.k8s.io/v1): create, get, list (label selectors,
 * limit/continue), delete (graceful for pods, Status bodies where the real server returns them),
 * and watch (chunked newline-delimited events, resume from a resourceVersion, `410 Expired` after
 * `compact()`, `timeoutSeconds`, bookmarks), so `@kubernetes/client-node`'s own informer (list + watch)
 * runs against it unchanged. Objects are validated on create with the same strict OpenAPI check as
 * the manifests (`test/k8s/validate-manifest.ts`) and refused with `422 Invalid` like the API server.
 *
 * It simulates the controllers a room needs: a volume provisioner (PVC Pending → Bound) and a kubelet
 * (pod Pending → Running with a Ready condition once its claims are bound and its secrets exist;
 * deleted pods disappear after their grace period). It does NOT run containers, enforce
 * NetworkPolicies (a CNI does that), schedule, or check RBAC; it records every request as an RBAC
 * attribute (`requests`) so a test can compare them with the Role the control plane gets.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { parseLabelSelector } from '../k8s/label-selector.ts';
import { validateManifest } from '../k8s/validate-manifest.ts';

type Obj = { apiVersion?: string; kind?: string; metadata: any; spec?: any; status?: any; [k: string]: any };

const RESOURCES: Record<string, { group: string; version: string; kind: string; deleteReturns: 'object' | 'status' }> = {
  pods: { group: '', version: 'v1', kind: 'Pod', deleteReturns: 'object' },
  services: { group: '', version: 'v1', kind: 'Service', deleteReturns: 'object' },
  persistentvolumeclaims: { group: '', version: 'v1', kind: 'PersistentVolumeClaim', deleteReturns: 'object' },
  secrets: { group: '', version: 'v1', kind: 'Secret', deleteReturns: 'status' },
  networkpolicies: { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', deleteReturns: 'status' },
};

/** One API request as RBAC sees it. */
export interface RecordedRequest {
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  group: string;
  resource: string;
  namespace: string | undefined;
  name: string | undefined;
}

export interface FakeKubeOptions {
  /** Delay before the fake kubelet moves a schedulable pod to Running. */
  podStartDelayMs?: number;
  /** Delay before the fake provisioner binds a new PVC. */
  pvcBindDelayMs?: number;
  /** Pods whose image equals this never start (ErrImagePull), like an image the nodes cannot pull. */
  unpullableImage?: string;
}

interface Watcher {
  resource: string;
  namespace?: string;
  match: (o: Obj) => boolean;
  res: ServerResponse;
}

export interface FakeKubeApiServer {
  url: string;
  /** A KubeConfig pointing at this server (bearer token auth, as a service account would). */
  kubeConfig(): KubeConfig;
  requests: RecordedRequest[];
  /** Current objects of one resource (copies). */
  list(resource: string, namespace?: string): Obj[];
  /** Creates an object as another actor would (e.g. the data-copy claim a room mounts); no validation. */
  seedObject(resource: string, object: Obj): void;
  /** Removes an object as another actor would (an operator, a namespace cleanup), with a DELETED event. */
  removeObject(resource: string, namespace: string, name: string): boolean;
  /** The fake kubelet reports the pod's container as terminated (crash, OOM kill). */
  failPod(namespace: string, name: string, reason: string, message: string): void;
  /** One container of a running pod ends (restartPolicy Never): the pod stays Running, not Ready. */
  endContainer(namespace: string, name: string, container: string, exitCode: number): void;
  /** Ends every open watch, as the API server does at its request timeout or on restart. */
  closeWatches(): void;
  /** Forgets event history: resuming a watch from an older resourceVersion now gets `410 Expired`. */
  compact(): void;
  close(): Promise<void>;
}

const TOKEN = 'fake-service-account-token';

export async function startFakeKubeApiServer(opts: FakeKubeOptions = {}): Promise<FakeKubeApiServer> {
  const store = new Map<string, Obj>(); // `${resource}/${namespace}/${name}`
  const history: Array<{ rv: number; resource: string; type: string; object: Obj }> = [];
  const watchers = new Set<Watcher>();
  const timers = new Set<NodeJS.Timeout>();
  const requests: RecordedRequest[] = [];
  let rv = 1000;
  let compactedAt = 0;
  let ip = 10;

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const key = (resource: string, ns: string, name: string) => `${resource}/${ns}/${name}`;
  const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const clone = (o: Obj): Obj => structuredClone(o);

  function typed(resource: string, o: Obj): Obj {
    const r = RESOURCES[resource]!;
    return { apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind, ...o };
  }

  function emit(resource: string, type: 'ADDED' | 'MODIFIED' | 'DELETED', o: Obj): void {
    history.push({ rv: Number(o.metadata.resourceVersion), resource, type, object: clone(o) });
    for (const w of watchers) {
      if (w.resource === resource && (!w.namespace || w.namespace === o.metadata.namespace) && w.match(o)) {
        w.res.write(`${JSON.stringify({ type, object: typed(resource, o) })}\n`);
      }
    }
  }

  function put(resource: string, o: Obj, type: 'ADDED' | 'MODIFIED'): Obj {
    o.metadata.resourceVersion = String(++rv);
    store.set(key(resource, o.metadata.namespace, o.metadata.name), o);
    emit(resource, type, o);
    return o;
  }

  function remove(resource: string, o: Obj): void {
    if (!store.delete(key(resource, o.metadata.namespace, o.metadata.name))) return;
    o.metadata.resourceVersion = String(++rv);
    emit(resource, 'DELETED', o);
    if (resource === 'pods') releaseClaims(o.metadata.namespace);
  }

  // ---- simulated controllers -------------------------------------------------------------
  function claimsOf(pod: Obj): string[] {
    return (pod.spec?.volumes ?? []).map((v: any) => v.persistentVolumeClaim?.claimName).filter(Boolean);
  }
  function secretsOf(pod: Obj): string[] {
    const fromEnv = (pod.spec?.containers ?? []).flatMap((c: any) => (c.env ?? []).map((e: any) => e.valueFrom?.secretKeyRef?.name));
    const fromVolumes = (pod.spec?.volumes ?? []).map((v: any) => v.secret?.secretName);
    return [...fromEnv, ...fromVolumes].filter(Boolean);
  }

  function kubelet(ns: string, name: string): void {
    const pod = store.get(key('pods', ns, name));
    if (!pod || pod.metadata.deletionTimestamp || pod.status.phase !== 'Pending') return;
    const missingClaim = claimsOf(pod).find((c) => store.get(key('persistentvolumeclaims', ns, c))?.status?.phase !== 'Bound');
    const missingSecret = secretsOf(pod).find((s) => !store.has(key('secrets', ns, s)));
    const blocked = missingClaim
      ? { reason: 'Unschedulable', message: `0/1 nodes are available: persistentvolumeclaim "${missingClaim}" not bound.` }
      : missingSecret
        ? { reason: 'ContainerCreating', message: `secret "${missingSecret}" not found` }
        : undefined;
    const image = pod.spec.containers[0]?.image;
    if (blocked || image === opts.unpullableImage) {
      const waiting = image === opts.unpullableImage ? { reason: 'ErrImagePull', message: `pull access denied for ${image}` } : blocked!;
      const cond = [
        {
          type: 'PodScheduled',
          status: missingClaim ? 'False' : 'True',
          reason: missingClaim ? 'Unschedulable' : undefined,
          message: missingClaim ? waiting.message : undefined,
          lastTransitionTime: now(),
        },
      ];
      const statuses = missingClaim
        ? undefined
        : pod.spec.containers.map((c: any) => ({
            name: c.name,
            image: c.image,
            imageID: '',
            ready: false,
            started: false,
            restartCount: 0,
            state: { waiting },
          }));
      if (JSON.stringify(pod.status.containerStatuses) !== JSON.stringify(statuses) || pod.status.conditions?.[0]?.status !== cond[0]!.status) {
        put('pods', { ...pod, status: { ...pod.status, conditions: cond, containerStatuses: statuses } }, 'MODIFIED');
      }
      later(opts.podStartDelayMs ?? 50, () => kubelet(ns, name));
      return;
    }
    const t = now();
    const ready = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: t });
    put(
      'pods',
      {
        ...pod,
        status: {
          phase: 'Running',
          hostIP: '10.0.0.1',
          podIP: `10.244.0.${ip}`,
          podIPs: [{ ip: `10.244.0.${ip++}` }],
          startTime: t,
          qosClass: 'Guaranteed',
          conditions: [ready('PodReadyToStartContainers'), ready('Initialized'), ready('Ready'), ready('ContainersReady'), ready('PodScheduled')],
          containerStatuses: pod.spec.containers.map((c: any) => ({
            name: c.name,
            image: c.image,
            imageID: `sha256:${'0'.repeat(64)}`,
            containerID: `containerd://${randomUUID().replaceAll('-', '')}`,
            ready: true,
            started: true,
            restartCount: 0,
            state: { running: { startedAt: t } },
          })),
        },
      },
      'MODIFIED',
    );
  }

  function provisioner(ns: string, name: string): void {
    const pvc = store.get(key('persistentvolumeclaims', ns, name));
    if (!pvc || pvc.status.phase === 'Bound') return;
    put(
      'persistentvolumeclaims',
      {
        ...pvc,
        spec: { ...pvc.spec, volumeName: `pvc-${pvc.metadata.uid}`, storageClassName: pvc.spec.storageClassName ?? 'standard' },
        status: { phase: 'Bound', accessModes: pvc.spec.accessModes, capacity: pvc.spec.resources?.requests ?? {} },
      },
      'MODIFIED',
    );
    for (const p of store.values()) if (p.kind === 'Pod' && p.metadata.namespace === ns) later(0, () => kubelet(ns, p.metadata.name));
  }

  /** pvc-protection: a claim marked for deletion goes once no pod uses it. */
  function releaseClaims(ns: string): void {
    const used = new Set([...store.entries()].filter(([k]) => k.startsWith(`pods/${ns}/`)).flatMap(([, p]) => claimsOf(p)));
    for (const [k, pvc] of [...store.entries()]) {
      if (k.startsWith(`persistentvolumeclaims/${ns}/`) && pvc.metadata.deletionTimestamp && !used.has(pvc.metadata.name))
        remove('persistentvolumeclaims', pvc);
    }
  }

  // ---- HTTP ---------------------------------------------------------------------------------
  function status(res: ServerResponse, code: number, reason: string, message: string, details?: object): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code }));
  }
  function send(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return status(res, 401, 'Unauthorized', 'Unauthorized');
    if (url.pathname === '/version') return send(res, 200, { major: '1', minor: '33', gitVersion: 'v1.33.0-fake', platform: 'linux/amd64' });
    const m = /^\/(?:api\/v1|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
    const resource = m?.[4];
    const def = resource ? RESOURCES[resource] : undefined;
    if (!m || !def || (m[1] ?? '') !== def.group || (m[2] ?? 'v1') !== def.version)
      return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    const [ns, name] = [m[3], m[5]];
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const verb: RecordedRequest['verb'] | undefined = {
      GET: name ? 'get' : watch ? 'watch' : 'list',
      POST: name ? undefined : 'create',
      DELETE: name ? 'delete' : 'deletecollection',
      PUT: 'update',
      PATCH: 'patch',
    }[req.method ?? ''] as RecordedRequest['verb'] | undefined;
    if (!verb) return status(res, 405, 'MethodNotAllowed', `${req.method} is not supported`);
    requests.push({ verb, group: def.group, resource: resource!, namespace: ns, name });
    const body = await readBody(req);
    switch (verb) {
      case 'create':
        return create(res, resource!, ns, body);
      case 'get': {
        const o = store.get(key(resource!, ns ?? '', name!));
        return o ? send(res, 200, typed(resource!, o)) : notFound(res, resource!, name!);
      }
      case 'list':
        return list(res, resource!, ns, url);
      case 'watch':
        return startWatch(req, res, resource!, ns, url);
      case 'delete':
        return del(res, resource!, ns ?? '', name!, body);
      default:
        return status(res, 405, 'MethodNotAllowed', `${verb} is not supported by the fake`);
    }
  }

  function notFound(res: ServerResponse, resource: string, name: string): void {
    status(res, 404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });
  }

  function create(res: ServerResponse, resource: string, ns: string | undefined, raw: string): void {
    let o: Obj;
    try {
      o = JSON.parse(raw);
    } catch {
      return status(res, 400, 'BadRequest', 'the body of the request was in an unknown format');
    }
    const def = RESOURCES[resource]!;
    if (!ns) return status(res, 405, 'MethodNotAllowed', 'namespaced resources are created in a namespace');
    o = typed(resource, o);
    o.metadata ??= {};
    if (o.metadata.namespace && o.metadata.namespace !== ns)
      return status(res, 400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    o.metadata.namespace = ns;
    if (o.kind !== def.kind) return status(res, 400, 'BadRequest', `kind ${o.kind} does not match ${def.kind}`);
    const problems = validateManifest(o);
    if (problems.length > 0)
      return status(res, 422, 'Invalid', `${def.kind} "${o.metadata.name}" is invalid: ${problems.join('; ')}`, {
        name: o.metadata.name,
        kind: def.kind,
        causes: problems.map((message) => ({ message })),
      });
    if (store.has(key(resource, ns, o.metadata.name)))
      return status(res, 409, 'AlreadyExists', `${resource} "${o.metadata.name}" already exists`, { name: o.metadata.name, kind: resource });
    const { apiVersion: _a, kind: _k, ...rest } = o;
    const stored: Obj = {
      ...rest,
      metadata: {
        ...o.metadata,
        uid: randomUUID(),
        creationTimestamp: now(),
        ...(resource === 'persistentvolumeclaims' ? { finalizers: ['kubernetes.io/pvc-protection'] } : {}),
      },
    };
    if (resource === 'pods') {
      stored.spec = { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', serviceAccountName: 'default', ...stored.spec };
      stored.status = { phase: 'Pending', qosClass: 'Guaranteed' };
      later(opts.podStartDelayMs ?? 50, () => kubelet(ns, stored.metadata.name));
    } else if (resource === 'services') {
      stored.spec = {
        type: 'ClusterIP',
        sessionAffinity: 'None',
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        clusterIP: `10.96.0.${ip}`,
        clusterIPs: [`10.96.0.${ip++}`],
        ...stored.spec,
        ports: (stored.spec?.ports ?? []).map((p: any) => ({ protocol: 'TCP', targetPort: p.port, ...p })),
      };
      stored.status = { loadBalancer: {} };
    } else if (resource === 'persistentvolumeclaims') {
      stored.spec = { volumeMode: 'Filesystem', ...stored.spec };
      stored.status = { phase: 'Pending' };
      later(opts.pvcBindDelayMs ?? 20, () => provisioner(ns, stored.metadata.name));
    } else if (resource === 'secrets') {
      stored.type ??= 'Opaque';
      if (stored.stringData) {
        stored.data = {
          ...stored.data,
          ...Object.fromEntries(Object.entries(stored.stringData).map(([k, v]) => [k, Buffer.from(String(v)).toString('base64')])),
        };
        delete stored.stringData;
      }
    }
    put(resource, stored, 'ADDED');
    send(res, 201, typed(resource, stored));
  }

  function list(res: ServerResponse, resource: string, ns: string | undefined, url: URL): void {
    let match;
    try {
      match = parseLabelSelector(url.searchParams.get('labelSelector'));
    } catch (err) {
      return status(res, 400, 'BadRequest', (err as Error).message);
    }
    const items = [...store.entries()]
      .filter(([k, o]) => k.startsWith(`${resource}/`) && (!ns || o.metadata.namespace === ns) && match(o.metadata.labels))
      .map(([, o]) => clone(o))
      .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
    const limit = Number(url.searchParams.get('limit') ?? 0);
    const start = Number(url.searchParams.get('continue') ? Buffer.from(url.searchParams.get('continue')!, 'base64url').toString() : 0);
    const page = limit > 0 ? items.slice(start, start + limit) : items.slice(start);
    const more = limit > 0 && start + limit < items.length;
    const def = RESOURCES[resource]!;
    send(res, 200, {
      kind: `${def.kind}List`,
      apiVersion: def.group ? `${def.group}/${def.version}` : def.version,
      metadata: {
        resourceVersion: String(rv),
        ...(more ? { continue: Buffer.from(String(start + limit)).toString('base64url'), remainingItemCount: items.length - start - limit } : {}),
      },
      items: page, // as the real server: list items carry no apiVersion/kind
    });
  }

  function startWatch(req: IncomingMessage, res: ServerResponse, resource: string, ns: string | undefined, url: URL): void {
    let selector;
    try {
      selector = parseLabelSelector(url.searchParams.get('labelSelector'));
    } catch (err) {
      return status(res, 400, 'BadRequest', (err as Error).message);
    }
    const field = url.searchParams.get('fieldSelector');
    const nameIs = field ? /^metadata\.name=(.+)$/.exec(field)?.[1] : undefined;
    const match = (o: Obj) => selector(o.metadata.labels) && (nameIs === undefined || o.metadata.name === nameIs);
    const from = url.searchParams.get('resourceVersion');
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders(); // as the API server: the watch is established before the first event
    const line = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
    if (!from || from === '0') {
      for (const [k, o] of store) if (k.startsWith(`${resource}/`) && (!ns || o.metadata.namespace === ns) && match(o)) line('ADDED', typed(resource, o));
    } else if (Number(from) < compactedAt) {
      line('ERROR', {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `too old resource version: ${from} (${compactedAt})`,
        reason: 'Expired',
        code: 410,
      });
      return void res.end();
    } else {
      for (const e of history)
        if (e.rv > Number(from) && e.resource === resource && (!ns || e.object.metadata.namespace === ns) && match(e.object))
          line(e.type, typed(resource, e.object));
    }
    const w: Watcher = { resource, namespace: ns, match, res };
    watchers.add(w);
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    const bookmarks =
      url.searchParams.get('allowWatchBookmarks') === 'true'
        ? setInterval(() => line('BOOKMARK', { kind: RESOURCES[resource]!.kind, apiVersion: 'v1', metadata: { resourceVersion: String(rv) } }), 1000)
        : undefined;
    const end = () => {
      watchers.delete(w);
      clearInterval(bookmarks);
      clearTimeout(timer);
      if (!res.writableEnded) res.end();
    };
    const timer = timeout > 0 ? setTimeout(end, timeout * 1000) : undefined;
    req.on('close', end);
    (res as ServerResponse & { endWatch?: () => void }).endWatch = end;
  }

  function del(res: ServerResponse, resource: string, ns: string, name: string, raw: string): void {
    const o = store.get(key(resource, ns, name));
    if (!o) return notFound(res, resource, name);
    const options = raw ? JSON.parse(raw) : {};
    const def = RESOURCES[resource]!;
    if (resource === 'pods' && options.gracePeriodSeconds !== 0) {
      if (!o.metadata.deletionTimestamp) {
        const grace = options.gracePeriodSeconds ?? o.spec.terminationGracePeriodSeconds ?? 30;
        put('pods', { ...o, metadata: { ...o.metadata, deletionTimestamp: now(), deletionGracePeriodSeconds: grace } }, 'MODIFIED');
        // The kubelet stops the containers well within the grace period here.
        later(Math.min(grace * 1000, 100), () => {
          const cur = store.get(key('pods', ns, name));
          if (cur) remove('pods', cur);
        });
      }
      return send(res, 200, typed(resource, store.get(key(resource, ns, name))!));
    }
    if (resource === 'persistentvolumeclaims') {
      const inUse = [...store.entries()].some(([k, p]) => k.startsWith(`pods/${ns}/`) && claimsOf(p).includes(name));
      if (inUse) {
        put(resource, { ...o, metadata: { ...o.metadata, deletionTimestamp: now() } }, 'MODIFIED');
        return send(res, 200, typed(resource, o));
      }
    }
    remove(resource, o);
    if (def.deleteReturns === 'object') return send(res, 200, typed(resource, o));
    send(res, 200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, group: def.group || undefined, kind: resource, uid: o.metadata.uid },
    });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => status(res, 500, 'InternalError', String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** The fake kubelet's report of a pod that is no longer ready, with `change` merged into its status. */
  function notReady(namespace: string, name: string, change: (pod: Obj, t: string) => Record<string, unknown>): void {
    const pod = store.get(key('pods', namespace, name));
    if (!pod) throw new Error(`no pod ${namespace}/${name}`);
    const t = now();
    put(
      'pods',
      {
        ...pod,
        status: {
          ...pod.status,
          conditions: (pod.status.conditions ?? []).map((c: any) =>
            c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', lastTransitionTime: t } : c,
          ),
          ...change(pod, t),
        },
      },
      'MODIFIED',
    );
  }

  return {
    url,
    requests,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
        users: [{ name: 'control-plane', token: TOKEN }],
        contexts: [{ name: 'fake', cluster: 'fake', user: 'control-plane', namespace: 'analyserom-rooms' }],
        currentContext: 'fake',
      });
      return kc;
    },
    list(resource, namespace) {
      return [...store.entries()]
        .filter(([k, o]) => k.startsWith(`${resource}/`) && (!namespace || o.metadata.namespace === namespace))
        .map(([, o]) => typed(resource, clone(o)));
    },
    seedObject(resource, object) {
      const { apiVersion: _a, kind: _k, ...rest } = structuredClone(object);
      const stored: Obj = { ...rest, metadata: { ...rest.metadata, uid: randomUUID(), creationTimestamp: now() } };
      if (resource === 'persistentvolumeclaims') {
        stored.status ??= { phase: 'Pending' };
        later(opts.pvcBindDelayMs ?? 20, () => provisioner(stored.metadata.namespace, stored.metadata.name));
      }
      put(resource, stored, 'ADDED');
    },
    removeObject(resource, namespace, name) {
      const o = store.get(key(resource, namespace, name));
      if (o) remove(resource, o);
      return o !== undefined;
    },
    failPod(namespace, name, reason, message) {
      notReady(namespace, name, (pod, t) => ({
        phase: 'Failed',
        reason,
        message,
        containerStatuses: pod.spec.containers.map((c: any) => ({
          name: c.name,
          image: c.image,
          imageID: '',
          ready: false,
          started: false,
          restartCount: 0,
          state: { terminated: { exitCode: 137, reason, message, finishedAt: t } },
        })),
      }));
    },
    endContainer(namespace, name, container, exitCode) {
      notReady(namespace, name, (pod, t) => ({
        containerStatuses: (pod.status.containerStatuses ?? []).map((c: any) =>
          c.name !== container
            ? c
            : { ...c, ready: false, started: false, state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt: t } } },
        ),
      }));
    },
    closeWatches() {
      for (const w of [...watchers]) (w.res as ServerResponse & { endWatch?: () => void }).endWatch?.();
    },
    compact() {
      compactedAt = rv + 1;
      history.length = 0;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const w of [...watchers]) (w.res as ServerResponse & { endWatch?: () => void }).endWatch?.();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
