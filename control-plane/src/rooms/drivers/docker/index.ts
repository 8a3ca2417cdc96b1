/** Docker room driver: public surface. */
export { createDockerDriver, type DockerDriverOptions } from './driver.ts';
export { containerName } from './container-spec.ts';
export { createImageImporter } from './image.ts';
