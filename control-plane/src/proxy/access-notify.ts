/**
 * What the store tells every control plane on channel `tre_access` (triggers of migration
 * 0312, fired by whichever code path wrote): the proxy's access decisions and known room sessions
 * it makes stale. After the listening connection is (re)made everything is dropped, since
 * notifications sent while it was down are lost.
 */
import type { Listening, Store } from '../store/index.ts';
import type { AccessCache } from './access.ts';
import type { SessionTracker } from './sessions.ts';

const ACCESS_CHANNEL = 'tre_access';

/** Applies one notification (`room:<id>`, `project:<id>`, `user:<id>`, `session:<id>`); unknown ones drop everything. */
function applyAccessNotice(payload: string, access: AccessCache, sessions: SessionTracker): void {
  const at = payload.indexOf(':');
  const kind = payload.slice(0, at);
  const id = payload.slice(at + 1);
  if (at > 0 && id) {
    switch (kind) {
      case 'room':
        return access.invalidate(id);
      case 'project':
        return access.invalidateProject(id);
      case 'user':
        return access.invalidateUser(id);
      case 'session':
        return sessions.forget(id);
    }
  }
  access.clear();
  sessions.clear();
}

export function listenForAccessChanges(store: Store, access: AccessCache, sessions: SessionTracker): Listening {
  return store.listen(ACCESS_CHANNEL, {
    notify: (payload) => applyAccessNotice(payload, access, sessions),
    connected() {
      access.clear();
      sessions.clear();
    },
  });
}
