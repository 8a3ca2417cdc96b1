/**
 * The drivers a control plane runs rooms on. Local (bubblewrap) always; Docker when
 * `TRE_ROOM_DOCKER_SOCKET` names a daemon socket; Kubernetes when `TRE_ROOM_KUBECONFIG` is
 * `in-cluster` or a kubeconfig path. A room keeps the driver it was started on.
 */
import { join } from 'node:path';
import Docker from 'dockerode';
import { KubeConfig } from '@kubernetes/client-node';
import { InputError } from '../errors/index.ts';
import type { RoomDriver } from './drivers/types.ts';
import { createLocalDriver } from './drivers/local/index.ts';
import { createDockerDriver } from './drivers/docker/index.ts';
import { createKubernetesDriver } from './drivers/kubernetes/index.ts';
import type { RoomsOptions } from './options.ts';
import type { DriverName } from './room-store.ts';

export type DriverSet = ReadonlyMap<DriverName, RoomDriver>;

export function createDriverSet(opts: RoomsOptions, ownerId: string, dataDir: string): DriverSet {
  const drivers = new Map<DriverName, RoomDriver>();
  drivers.set(
    'local',
    createLocalDriver({
      ownerId,
      rootfsDir: opts.rootfsDir,
      stateDir: join(dataDir, 'rooms-driver'),
      stopGraceMs: opts.localStopGraceMs,
      cgroupRoot: opts.cgroupRoot,
    }),
  );
  if (opts.dockerSocket) {
    drivers.set('docker', createDockerDriver({ ownerId, rootfsDir: opts.rootfsDir, docker: new Docker({ socketPath: opts.dockerSocket }) }));
  }
  if (opts.kubeconfig) {
    const kubeConfig = new KubeConfig();
    if (opts.kubeconfig === 'in-cluster') kubeConfig.loadFromCluster();
    else kubeConfig.loadFromFile(opts.kubeconfig);
    drivers.set('kubernetes', createKubernetesDriver({ ownerId, kubeConfig, namespace: opts.kubeNamespace, image: opts.kubeImage }));
  }
  return drivers;
}

export function driverFor(drivers: DriverSet, name: DriverName): RoomDriver {
  const d = drivers.get(name);
  if (!d) throw new InputError(`the ${name} room driver is not configured here`, { reason: 'driver_not_configured', details: { driver: name } });
  return d;
}
