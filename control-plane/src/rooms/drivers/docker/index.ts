/** Docker room driver: public surface. */
export { createDockerDriver, type DockerDriverOptions } from './driver.ts';
export { containerCreateOptions, containerName, roomCommand } from './container-spec.ts';
export { createImageImporter, roomImageTag, ROOM_IMAGE_REPO } from './image.ts';
