/** Kubernetes room driver: public surface. */
export { createKubernetesDriver, type KubernetesDriverOptions } from './driver.ts';
export { renderRoomObjects, renderRoomManifests, roomNames, roomCommand, labelValue, dataClaimOf, type RoomObjects } from './objects.ts';
export { loadTemplates, DEFAULT_TEMPLATES_DIR } from './render.ts';
