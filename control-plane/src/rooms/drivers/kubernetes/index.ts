/** Kubernetes room driver: public surface. */
export { createKubernetesDriver, type KubernetesDriverOptions } from './driver.ts';
export { renderRoomManifests, roomNames, type RoomObjects } from './objects.ts';
export { loadTemplates } from './render.ts';
