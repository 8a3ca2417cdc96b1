export { notify, projectMembers, type NotificationInput } from './notify.ts';
