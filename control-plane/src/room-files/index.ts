/**
 * Reading trees a room can write (`/outputs`, homes) from the control plane without following
 * any name the room can change: files are opened relative to held folder descriptors and checked
 * against the kernel's own name for them; listings never follow a link. The control plane reads
 * room files only through this context, and only through the descriptors it returns; it writes
 * into them (the welcome notebook in a home) only through `replaceRoomFile`, which follows no name either.
 */
export { openRoomFile, type OpenedRoomFile, type OpenRoomFileOptions, type RoomRoot } from './open-file.ts';
export { listRoomTree, type ListOptions, type RoomEntry } from './list-tree.ts';
export { roomPathParts } from './path-parts.ts';
export { replaceRoomFile, type WriteRoomFileOptions } from './write-file.ts';
