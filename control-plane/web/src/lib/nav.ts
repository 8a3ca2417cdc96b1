/**
 * Which pages exist and who may open them. Navigation shows a user only the pages their roles
 * allow; a page opened by URL without the role shows "not allowed" (and the API refuses anyway).
 */
import type { MessageKey } from '../i18n/keys.ts';

export type Role = 'researcher' | 'project_lead' | 'access_admin' | 'auditor' | 'platform_admin' | 'citizen';

export interface NavItem {
  id: string;
  path: string;
  label: MessageKey;
  roles: readonly Role[];
}

export const NAV: readonly NavItem[] = [
  { id: 'projects', path: '/projects', label: 'nav.projects', roles: ['researcher', 'project_lead'] },
  { id: 'explore', path: '/explore', label: 'nav.explore', roles: ['researcher', 'project_lead'] },
  { id: 'apply', path: '/apply', label: 'nav.apply', roles: ['project_lead'] },
  { id: 'my-applications', path: '/applications', label: 'nav.myApplications', roles: ['project_lead'] },
  { id: 'admin-applications', path: '/admin/applications', label: 'nav.adminApplications', roles: ['access_admin'] },
  { id: 'admin-permits', path: '/admin/permits', label: 'nav.adminPermits', roles: ['access_admin'] },
  { id: 'admin-copies', path: '/admin/copies', label: 'nav.adminCopies', roles: ['access_admin'] },
  { id: 'admin-reviews', path: '/admin/reviews', label: 'nav.adminReviews', roles: ['access_admin'] },
  { id: 'admin-questions', path: '/admin/questions', label: 'nav.adminQuestions', roles: ['access_admin'] },
  { id: 'audit', path: '/audit', label: 'nav.audit', roles: ['auditor'] },
  { id: 'case-stats', path: '/admin/case-stats', label: 'nav.caseStats', roles: ['access_admin', 'auditor'] },
  { id: 'citizen', path: '/citizen', label: 'nav.citizen', roles: ['citizen'] },
  { id: 'operator-rooms', path: '/operator/rooms', label: 'nav.operatorRooms', roles: ['platform_admin'] },
  { id: 'operator-users', path: '/operator/users', label: 'nav.operatorUsers', roles: ['platform_admin'] },
];

export function navFor(roles: readonly string[]): NavItem[] {
  return NAV.filter((n) => n.roles.some((r) => roles.includes(r)));
}

export function allowed(item: Pick<NavItem, 'roles'>, roles: readonly string[]): boolean {
  return item.roles.some((r) => roles.includes(r));
}
