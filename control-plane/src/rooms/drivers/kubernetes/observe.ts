/**
 * A room's observed state, from the informer caches alone. Fail closed: a room is `running` only when
 * its pod is Ready AND its NetworkPolicy exists with exactly the rendered spec AND its Service exists.
 */
import { isDeepStrictEqual } from 'node:util';
import type { V1NetworkPolicy, V1Pod, V1Service } from '@kubernetes/client-node';
import type { AppliedLimits, RoomObservation } from '../types.ts';
import { JUPYTER_PORT } from './objects.ts';

/** CPU and memory by the container runtime (cgroups via the kubelet); a per-pod process limit is a
 * kubelet setting (`podPidsLimit`), not part of the pod spec, so it is not the driver's to promise. */
export const K8S_LIMITS: AppliedLimits = { memory: 'runtime', cpu: 'runtime', pids: 'none' };

const IMAGE_FAILURES = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const CONFIG_FAILURES = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

export interface Observed {
  pod: V1Pod | undefined;
  service: V1Service | undefined;
  networkPolicy: V1NetworkPolicy | undefined;
  /** The NetworkPolicy spec the room must have (rendered from the template). */
  expectedPolicySpec: V1NetworkPolicy['spec'];
}

export function observeRoom(roomId: string, namespace: string, o: Observed): RoomObservation {
  const { pod, service, networkPolicy } = o;
  if (!pod) {
    if (service || networkPolicy) return { roomId, state: 'failed', reason: 'pod_missing', message: 'room objects exist without their pod' };
    return { roomId, state: 'stopped' };
  }
  const base: RoomObservation = {
    roomId,
    state: 'starting',
    limits: K8S_LIMITS,
    ...(pod.metadata?.creationTimestamp ? { startedAt: new Date(pod.metadata.creationTimestamp).toISOString() } : {}),
  };
  if (service?.metadata?.name) base.endpoint = { kind: 'tcp', host: `${service.metadata.name}.${namespace}.svc`, port: JUPYTER_PORT };
  if (pod.metadata?.deletionTimestamp) return { ...base, state: 'failed', reason: 'terminating', message: 'pod is being deleted' };
  const statuses = pod.status?.containerStatuses ?? [];
  if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') {
    const t = statuses.find((s) => s.state?.terminated)?.state?.terminated;
    const reason = t?.reason === 'OOMKilled' || pod.status?.reason === 'OOMKilled' ? 'out_of_memory' : 'exited';
    return {
      ...base,
      state: 'failed',
      reason,
      message: `room pod ${pod.status.phase}: ${t?.reason ?? pod.status?.reason ?? ''} ${t?.message ?? pod.status?.message ?? ''}`.trim(),
    };
  }
  // restartPolicy Never: a container that ended (Jupyter, or the channel relay beside it) stays ended.
  const ended = statuses.find((s) => s.state?.terminated);
  if (ended) {
    const t = ended.state!.terminated!;
    return {
      ...base,
      state: 'failed',
      reason: t.reason === 'OOMKilled' ? 'out_of_memory' : 'exited',
      message: `container ${ended.name} ended: ${t.reason ?? ''} ${t.message ?? ''}`.trim(),
    };
  }
  for (const s of statuses) {
    const w = s.state?.waiting;
    if (w?.reason && IMAGE_FAILURES.has(w.reason)) return { ...base, state: 'failed', reason: 'image_missing', message: w.message ?? w.reason };
    if (w?.reason && CONFIG_FAILURES.has(w.reason)) return { ...base, state: 'failed', reason: 'container_config', message: w.message ?? w.reason };
  }
  const ready = pod.status?.phase === 'Running' && pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  if (!ready) return base;
  if (!networkPolicy)
    return { ...base, state: 'failed', reason: 'network_policy_missing', message: "the room's NetworkPolicy is gone; refusing to report it running" };
  if (!isDeepStrictEqual(normalise(networkPolicy.spec), normalise(o.expectedPolicySpec))) {
    return { ...base, state: 'failed', reason: 'network_policy_changed', message: "the room's NetworkPolicy differs from the one the driver created" };
  }
  if (!service) return { ...base, state: 'failed', reason: 'service_missing', message: "the room's Service is gone" };
  return { ...base, state: 'running' };
}

/**
 * Objects from a list are client-node model instances (`from` is `_from`, absent fields undefined),
 * objects from a watch are plain JSON: compare both as JSON with the model renames undone.
 */
export function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k.replace(/^_/, ''), normalise(v)]),
    );
  }
  return value ?? null;
}
