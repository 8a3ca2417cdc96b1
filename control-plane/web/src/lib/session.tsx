import { createContext, useContext } from 'react';

import type { Me } from './types.ts';

export type { Me };

export const SessionCtx = createContext<{ me: Me; announce(msg: string): void } | null>(null);

export function useSession(): { me: Me; announce(msg: string): void } {
  const s = useContext(SessionCtx);
  if (!s) throw new Error('useSession outside a session');
  return s;
}
