/**
 * The driver's view of the rooms namespace: `@kubernetes/client-node` informers (list, then watch from
 * the list's resourceVersion; re-list on `410 Expired`) for pods, services and NetworkPolicies carrying
 * this installation's owner label. The driver reads only these caches, never polls the API.
 *
 * client-node's ListWatch stops on a watch error other than 410/timeout; we restart it after a delay,
 * so a flapping API server delays observations but never ends them.
 */
import {
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  CoreV1Api,
  NetworkingV1Api,
  type V1NetworkPolicy,
  type V1Pod,
  type V1Service,
} from '@kubernetes/client-node';

export interface RoomInformers {
  pods: Informer<V1Pod> & { get(name: string, ns: string): V1Pod | undefined; list(ns?: string): V1Pod[] };
  services: Informer<V1Service> & { get(name: string, ns: string): V1Service | undefined; list(ns?: string): V1Service[] };
  networkPolicies: Informer<V1NetworkPolicy> & { get(name: string, ns: string): V1NetworkPolicy | undefined; list(ns?: string): V1NetworkPolicy[] };
  /** Resolves once every cache holds a complete list (rejects after `timeoutMs`). */
  ready(timeoutMs: number): Promise<void>;
  /** Resolves when `check()` is true, re-checked on every cache change; rejects after `timeoutMs`. */
  until(check: () => boolean, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

type Cache<T extends KubernetesObject> = Informer<T> & { get(name: string, ns: string): T | undefined; list(ns?: string): T[] };

export function startRoomInformers(kc: KubeConfig, namespace: string, labelSelector: string, restartDelayMs = 1000): RoomInformers {
  const core = kc.makeApiClient(CoreV1Api);
  const net = kc.makeApiClient(NetworkingV1Api);
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of [...listeners]) l();
  };
  let stopped = false;
  const synced = new Map<string, boolean>();

  function informer<T extends KubernetesObject>(
    kind: string,
    path: string,
    list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>,
  ): Cache<T> {
    const inf = makeInformer<T>(kc, path, list as never, labelSelector) as Cache<T>;
    synced.set(kind, false);
    for (const ev of ['add', 'update', 'delete'] as const) inf.on(ev, notify);
    inf.on('error', () => {
      synced.set(kind, false);
      if (!stopped)
        setTimeout(() => {
          if (!stopped) void run();
        }, restartDelayMs).unref();
    });
    const run = async () => {
      let failed = false;
      const onErr = () => {
        failed = true;
      };
      inf.on('error', onErr);
      try {
        await inf.start();
      } catch {
        failed = true;
      } finally {
        inf.off('error', onErr);
      }
      if (!failed && !stopped) {
        synced.set(kind, true);
        notify();
      }
    };
    void run();
    return inf;
  }

  const base = `/api/v1/namespaces/${namespace}`;
  const pods = informer<V1Pod>('pods', `${base}/pods`, () => core.listNamespacedPod({ namespace, labelSelector }));
  const services = informer<V1Service>('services', `${base}/services`, () => core.listNamespacedService({ namespace, labelSelector }));
  const networkPolicies = informer<V1NetworkPolicy>('networkpolicies', `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies`, () =>
    net.listNamespacedNetworkPolicy({ namespace, labelSelector }),
  );

  function until(check: () => boolean, timeoutMs: number): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const listener = () => {
        if (!check()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error('timed out waiting for the Kubernetes API'));
      }, timeoutMs);
      const cleanup = () => {
        listeners.delete(listener);
        clearTimeout(timer);
      };
      listeners.add(listener);
    });
  }

  return {
    pods,
    services,
    networkPolicies,
    until,
    ready: (timeoutMs) => until(() => [...synced.values()].every(Boolean), timeoutMs),
    async stop() {
      stopped = true;
      await Promise.all([pods.stop(), services.stop(), networkPolicies.stop()]);
    },
  };
}
