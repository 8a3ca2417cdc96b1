/**
 * Kubernetes room driver (`@kubernetes/client-node` 2.x). Per room, in the rooms namespace: a
 * NetworkPolicy (no egress; ingress only from the control plane), a PVC for home/outputs/imports
 * (never deleted here), a Secret with Jupyter's token, a Service, and the hardened Pod — rendered
 * from `k8s/rooms/`. The NetworkPolicy is created first and must be seen by the informer before the
 * Pod is created; `poll` reports `running` only while it exists unchanged (fail closed).
 *
 * Observation is by informers (list + watch), never polling; truth is the cluster, so `poll`, `stop`
 * and `listOwned` need no loaded state. The API verbs used are exactly those `k8s/base/rbac.yaml`
 * grants: create/delete pods, services, networkpolicies, secrets; create PVCs; list/watch pods,
 * services, networkpolicies.
 */
import { isDeepStrictEqual } from 'node:util';
import { CoreV1Api, NetworkingV1Api, type KubeConfig } from '@kubernetes/client-node';
import { InputError, UnavailableError } from '../../../errors/index.ts';
import {
  ROOM_LABELS,
  roomSpecSchema,
  type DriverOptions,
  type OwnedRoom,
  type RoomDriver,
  type RoomObservation,
  type RoomSpec,
  type SavedRoomState,
} from '../types.ts';
import { startRoomInformers, type RoomInformers } from './informers.ts';
import { ANNOTATIONS, labelValue, renderRoomObjects, roomNames, type RenderOptions } from './objects.ts';
import { normalise, observeRoom } from './observe.ts';
import { loadTemplates, type Templates } from './render.ts';

export interface KubernetesDriverOptions extends DriverOptions {
  kubeConfig: KubeConfig;
  /** Namespace holding rooms only (default `analyserom-rooms`). */
  namespace?: string;
  /** Namespace of the control plane's pods, the only ones admitted into rooms (default `analyserom`). */
  controlPlaneNamespace?: string;
  /** Room image built from `workspace-images/` (the same packages as the room file system). */
  image: string;
  /** Size requested for each room's home claim (default `10Gi`). */
  homeSize?: string;
  /** Folder of the room templates (default: the repository's `k8s/rooms/`). */
  templatesDir?: string;
  /** How long a call waits for the API (informer sync, deletion). Default 60 s. */
  apiTimeoutMs?: number;
}

const STATE_VERSION = 1;
interface KubernetesRoomState extends SavedRoomState {
  driver: 'kubernetes';
  version: typeof STATE_VERSION;
  namespace: string;
  podName: string;
  podUid: string;
}

export function createKubernetesDriver(opts: KubernetesDriverOptions): RoomDriver {
  const namespace = opts.namespace ?? 'analyserom-rooms';
  const timeoutMs = opts.apiTimeoutMs ?? 60_000;
  const templates: Templates = loadTemplates(opts.templatesDir);
  const renderOpts: RenderOptions = {
    namespace,
    ownerId: opts.ownerId,
    image: opts.image,
    controlPlaneNamespace: opts.controlPlaneNamespace ?? 'analyserom',
    homeSize: opts.homeSize ?? '10Gi',
  };
  const core = opts.kubeConfig.makeApiClient(CoreV1Api);
  const net = opts.kubeConfig.makeApiClient(NetworkingV1Api);
  const ownerSelector = `${ROOM_LABELS.owner}=${labelValue(opts.ownerId)}`;
  let informers: RoomInformers | undefined;
  const states = new Map<string, KubernetesRoomState>();

  async function caches(): Promise<RoomInformers> {
    informers ??= startRoomInformers(opts.kubeConfig, namespace, ownerSelector);
    try {
      await informers.ready(timeoutMs);
    } catch (err) {
      throw new UnavailableError('Kubernetes API not reachable', { reason: 'kubernetes_unavailable', cause: err });
    }
    return informers;
  }

  /** The NetworkPolicy spec a room must have; independent of the rest of the spec. */
  function expectedPolicySpec(roomId: string) {
    return renderRoomObjects(templates, placeholderSpec(roomId), renderOpts).networkPolicy.spec;
  }

  function observe(inf: RoomInformers, roomId: string): RoomObservation {
    const { name } = roomNames(opts.ownerId, roomId);
    return observeRoom(roomId, namespace, {
      pod: inf.pods.get(name, namespace),
      service: inf.services.get(name, namespace),
      networkPolicy: inf.networkPolicies.get(name, namespace),
      expectedPolicySpec: expectedPolicySpec(roomId),
    });
  }

  function remember(inf: RoomInformers, roomId: string): boolean {
    const { name } = roomNames(opts.ownerId, roomId);
    const uid = inf.pods.get(name, namespace)?.metadata?.uid;
    if (!uid) return false;
    const prev = states.get(roomId);
    states.set(roomId, { driver: 'kubernetes', version: STATE_VERSION, namespace, podName: name, podUid: uid });
    return prev?.podUid !== uid;
  }

  async function stopRoom(roomId: string): Promise<void> {
    const inf = await caches();
    const { name, tokenSecret } = roomNames(opts.ownerId, roomId);
    // Pod first, and wait until it is gone, so the room is never running without its policy.
    await ignoreNotFound(() => core.deleteNamespacedPod({ name, namespace }));
    await wait(inf, () => !inf.pods.get(name, namespace), 'pod deletion');
    await Promise.all([
      ignoreNotFound(() => core.deleteNamespacedService({ name, namespace })),
      ignoreNotFound(() => core.deleteNamespacedSecret({ name: tokenSecret, namespace })),
    ]);
    await ignoreNotFound(() => net.deleteNamespacedNetworkPolicy({ name, namespace }));
    await wait(inf, () => !inf.services.get(name, namespace) && !inf.networkPolicies.get(name, namespace), 'service and policy deletion');
    states.delete(roomId);
  }

  async function wait(inf: RoomInformers, check: () => boolean, what: string): Promise<void> {
    try {
      await inf.until(check, timeoutMs);
    } catch (err) {
      throw new UnavailableError(`Kubernetes did not confirm ${what} in time`, { reason: 'kubernetes_timeout', cause: err });
    }
  }

  return {
    name: 'kubernetes',

    async start(input: RoomSpec): Promise<RoomObservation> {
      const parsed = roomSpecSchema.safeParse(input);
      if (!parsed.success) throw new InputError('invalid room spec', { reason: 'invalid_spec', details: { issues: parsed.error.issues } });
      const spec = parsed.data;
      const objects = renderRoomObjects(templates, spec, renderOpts);
      const inf = await caches();
      const current = observe(inf, spec.roomId);
      if (current.state === 'starting' || current.state === 'running') {
        remember(inf, spec.roomId);
        return current;
      }
      if (current.state === 'failed') await stopRoom(spec.roomId);
      const { name } = roomNames(opts.ownerId, spec.roomId);
      await api(() => ignoreConflict(() => net.createNamespacedNetworkPolicy({ namespace, body: objects.networkPolicy })));
      // Fail closed: the pod is created only once its policy is observed (a conflicting, altered one is replaced).
      await wait(inf, () => inf.networkPolicies.get(name, namespace) !== undefined, "the room's NetworkPolicy");
      const existing = inf.networkPolicies.get(name, namespace)!;
      if (!isDeepStrictEqual(normalise(existing.spec), normalise(objects.networkPolicy.spec))) {
        await ignoreNotFound(() => net.deleteNamespacedNetworkPolicy({ name, namespace }));
        await wait(inf, () => !inf.networkPolicies.get(name, namespace), 'policy replacement');
        await api(() => net.createNamespacedNetworkPolicy({ namespace, body: objects.networkPolicy }));
        await wait(inf, () => inf.networkPolicies.get(name, namespace) !== undefined, "the room's NetworkPolicy");
      }
      await api(() => ignoreConflict(() => core.createNamespacedPersistentVolumeClaim({ namespace, body: objects.pvc })));
      // The token changes with every start: a leftover Secret (immutable) is replaced, never reused.
      await api(async () => {
        try {
          await core.createNamespacedSecret({ namespace, body: objects.secret });
        } catch (err) {
          if (codeOf(err) !== 409) throw err;
          await ignoreNotFound(() => core.deleteNamespacedSecret({ name: roomNames(opts.ownerId, spec.roomId).tokenSecret, namespace }));
          await core.createNamespacedSecret({ namespace, body: objects.secret });
        }
      });
      await api(() => ignoreConflict(() => core.createNamespacedService({ namespace, body: objects.service })));
      // 409: a pod our cache has not seen yet (another replica's start): adopt it like any existing one.
      await api(() => ignoreConflict(() => core.createNamespacedPod({ namespace, body: objects.pod })));
      await wait(inf, () => inf.pods.get(name, namespace) !== undefined, 'pod creation');
      remember(inf, spec.roomId);
      return observe(inf, spec.roomId);
    },

    async poll(roomId: string): Promise<RoomObservation> {
      const inf = await caches();
      const obs = observe(inf, roomId);
      if (remember(inf, roomId)) obs.stateChanged = true;
      return obs;
    },

    stop: stopRoom,

    getState(roomId: string): SavedRoomState | undefined {
      const s = states.get(roomId);
      return s && { ...s };
    },

    loadState(roomId: string, state: SavedRoomState): void {
      if (state.driver === 'kubernetes' && state.version === STATE_VERSION) states.set(roomId, state as KubernetesRoomState);
    },

    async listOwned(): Promise<OwnedRoom[]> {
      const inf = await caches();
      const rooms = new Map<string, string>();
      for (const o of [...inf.pods.list(namespace), ...inf.services.list(namespace), ...inf.networkPolicies.list(namespace)]) {
        const roomId = o.metadata?.labels?.[ROOM_LABELS.roomId];
        if (roomId) rooms.set(roomId, o.metadata?.annotations?.[ANNOTATIONS.projectId] ?? o.metadata?.labels?.[ROOM_LABELS.projectId] ?? '');
      }
      return [...rooms].map(([roomId, projectId]) => ({ roomId, projectId, state: observe(inf, roomId).state }));
    },

    async close(): Promise<void> {
      await informers?.stop();
      informers = undefined;
    },
  };
}

/** A spec with the room id only, to render the policy (which depends on nothing else). */
function placeholderSpec(roomId: string): RoomSpec {
  return {
    roomId,
    projectId: 'x',
    dataDir: 'pvc:x',
    homeDir: 'x',
    outputsDir: 'x',
    importsDir: 'x',
    socketDir: 'x',
    limits: { memoryBytes: 64 * 1024 * 1024, cpuMillis: 10, pids: 8 },
    jupyterToken: 'x'.repeat(32),
    relaySecret: 'x'.repeat(32),
    baseUrl: '/',
  };
}

function codeOf(err: unknown): number | undefined {
  return (err as { code?: number }).code;
}

async function ignoreNotFound(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (codeOf(err) !== 404) throw unavailable(err);
  }
}

async function ignoreConflict(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (codeOf(err) !== 409) throw err;
  }
}

/** API refusals of our own objects are bugs or policy (422 → InputError), the rest is unavailability. */
async function api(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (codeOf(err) === 422 || codeOf(err) === 403) {
      throw new InputError('Kubernetes refused a room object', {
        reason: codeOf(err) === 403 ? 'kubernetes_forbidden' : 'kubernetes_invalid',
        details: { body: (err as { body?: unknown }).body },
        cause: err,
      });
    }
    throw unavailable(err);
  }
}

function unavailable(err: unknown): UnavailableError {
  if (err instanceof InputError || err instanceof UnavailableError) return err as UnavailableError;
  return new UnavailableError('Kubernetes API call failed', { reason: 'kubernetes_unavailable', cause: err });
}
