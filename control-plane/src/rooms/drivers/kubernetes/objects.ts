/**
 * The Kubernetes objects of one room, rendered from `k8s/rooms/` with the room's parameters and
 * labelled. Pure, so the exact shapes (the NetworkPolicy above all) are testable without a cluster.
 */
import { createHash } from 'node:crypto';
import { loadYaml, type V1NetworkPolicy, type V1PersistentVolumeClaim, type V1Pod, type V1Secret, type V1Service } from '@kubernetes/client-node';
import { InputError } from '../../../errors/index.ts';
import { ROOM_GID, ROOM_JUPYTER, ROOM_LABELS, ROOM_PATHS, ROOM_UID, type RoomSpec } from '../types.ts';
import { render, type Templates } from './render.ts';

export const JUPYTER_PORT = 8888;
/** Annotations keep values a label cannot hold (free-form project ids) and what probes need. */
export const ANNOTATIONS = { projectId: 'analyserom.project-id', ownerId: 'analyserom.owner', baseUrl: 'analyserom.base-url' } as const;

export interface RoomObjects {
  networkPolicy: V1NetworkPolicy;
  pvc: V1PersistentVolumeClaim;
  secret: V1Secret;
  service: V1Service;
  pod: V1Pod;
}

export interface RenderOptions {
  namespace: string;
  ownerId: string;
  image: string;
  controlPlaneNamespace: string;
  homeSize: string;
}

/**
 * Object names: per installation (owner) and room, so two installations sharing a namespace neither
 * collide nor delete each other's rooms. A Service name is a DNS-1035 label (≤ 63 characters,
 * starting with a letter): long room ids are shortened with a digest.
 */
export function roomNames(ownerId: string, roomId: string): { name: string; homeClaim: string; tokenSecret: string } {
  const prefix = `room-${sha(ownerId).slice(0, 6)}-`;
  const name = prefix.length + roomId.length <= 63 ? `${prefix}${roomId}` : `${prefix}${roomId.slice(0, 34)}-${sha(roomId).slice(0, 16)}`;
  return { name, homeClaim: `${name}-home`, tokenSecret: `${name}-token` };
}

/** A label value for any string: itself when valid, else a digest (the full value goes in an annotation). */
export function labelValue(s: string): string {
  return /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(s) && s.length <= 63 ? s : `sha256-${sha(s).slice(0, 48)}`;
}

export function roomLabels(roomId: string, projectId: string, ownerId: string): Record<string, string> {
  return {
    [ROOM_LABELS.roomId]: roomId,
    [ROOM_LABELS.projectId]: labelValue(projectId),
    [ROOM_LABELS.owner]: labelValue(ownerId),
    'app.kubernetes.io/name': 'analyserom-room',
    'app.kubernetes.io/managed-by': 'analyserom',
  };
}

/** `dataDir` names the data copy's volume claim, as `pvc:<claim>` or a bare claim name. */
export function dataClaimOf(dataDir: string): string {
  const claim = dataDir.startsWith('pvc:') ? dataDir.slice(4) : dataDir;
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(claim)) {
    throw new InputError('dataDir must name a PersistentVolumeClaim for the Kubernetes driver', { reason: 'data_volume_invalid', details: { dataDir } });
  }
  return claim;
}

/** Jupyter (or the stub) on TCP 8888 of the pod: a unix socket cannot cross pods. */
export function roomCommand(spec: RoomSpec): string[] {
  if ((spec.program ?? 'jupyterlab') === 'stub') {
    return ['/usr/bin/tini', '--', '/usr/bin/python3', '/usr/local/lib/analyserom/stub-server.py', `tcp:0.0.0.0:${JUPYTER_PORT}`, spec.baseUrl];
  }
  return [
    '/usr/bin/tini',
    '--',
    ROOM_JUPYTER,
    '--no-browser',
    '--ServerApp.ip=0.0.0.0',
    `--ServerApp.port=${JUPYTER_PORT}`,
    // Requests arrive from the control plane's pod, not from loopback; the NetworkPolicy admits nothing else.
    '--ServerApp.allow_remote_access=True',
    `--ServerApp.base_url=${spec.baseUrl}`,
    `--ServerApp.root_dir=${ROOM_PATHS.home}`,
  ];
}

/** The objects as plain Kubernetes JSON (what `kubectl` would send): for review and schema validation. */
// biome-ignore lint/suspicious/noExplicitAny: plain manifests, checked by the schema validation they are for, not by TypeScript
export function renderRoomManifests(templates: Templates, spec: RoomSpec, opts: RenderOptions): Record<keyof RoomObjects, any> {
  const names = roomNames(opts.ownerId, spec.roomId);
  const params = {
    ...names,
    namespace: opts.namespace,
    roomId: spec.roomId,
    controlPlaneNamespace: opts.controlPlaneNamespace,
    image: opts.image,
    command: roomCommand(spec),
    uid: ROOM_UID,
    gid: ROOM_GID,
    cpu: `${spec.limits.cpuMillis}m`,
    memory: String(spec.limits.memoryBytes),
    tmpSize: String(Math.max(16 * 1024 * 1024, Math.floor(spec.limits.memoryBytes / 4))),
    probePath: `${spec.baseUrl}api`,
    dataClaim: dataClaimOf(spec.dataDir),
    homeSize: opts.homeSize,
    jupyterToken: spec.jupyterToken,
    relaySecret: relaySecretFor(spec),
    projectId: spec.projectId,
  };
  const labels = roomLabels(spec.roomId, spec.projectId, opts.ownerId);
  const annotations = { [ANNOTATIONS.projectId]: spec.projectId, [ANNOTATIONS.ownerId]: opts.ownerId, [ANNOTATIONS.baseUrl]: spec.baseUrl };
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const out = {} as Record<keyof RoomObjects, any>;
  for (const k of ['networkPolicy', 'pvc', 'secret', 'service', 'pod'] as const) {
    const o = render(templates[k], params);
    o.metadata = { ...o.metadata, labels: { ...labels, ...o.metadata.labels }, annotations: { ...annotations, ...o.metadata.annotations } };
    out[k] = o;
  }
  return out;
}

/**
 * The objects as client-node models, ready for its API calls. The client serialises by model
 * attribute names (`from` is `_from`), so plain JSON passed to it would silently lose fields — a
 * NetworkPolicy would lose its `from` and admit every source. Deserialising first maps the names.
 */
export function renderRoomObjects(templates: Templates, spec: RoomSpec, opts: RenderOptions): RoomObjects {
  const plain = renderRoomManifests(templates, spec, opts);
  return Object.fromEntries(Object.entries(plain).map(([k, o]) => [k, loadYaml(JSON.stringify(o))])) as unknown as RoomObjects;
}

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** A Kubernetes room's relay secret: the control plane's, from the spec; a room without one is not rendered. */
function relaySecretFor(spec: RoomSpec): string {
  if (!spec.relaySecret)
    throw new InputError('a Kubernetes room needs the relay secret of its channel', { reason: 'invalid_spec', details: { field: 'relaySecret' } });
  return spec.relaySecret;
}
