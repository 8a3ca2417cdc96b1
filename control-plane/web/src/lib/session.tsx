import { createContext, useContext } from 'react';

export interface Me {
  id: string;
  displayName: string;
  roles: string[];
  memberships: { projectId: string; title: string; role: 'lead' | 'researcher' }[];
  csrfToken: string | null;
}

export const SessionCtx = createContext<{ me: Me; announce(msg: string): void } | null>(null);

export function useSession(): { me: Me; announce(msg: string): void } {
  const s = useContext(SessionCtx);
  if (!s) throw new Error('useSession outside a session');
  return s;
}
