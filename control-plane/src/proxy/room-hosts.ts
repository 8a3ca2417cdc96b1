/**
 * Each room on its own origin: `<room>.<roomsDomain>`, with the platform's scheme and port. The
 * rooms domain is configured (`rooms.roomsDomain`, `TRE_ROOMS_DOMAIN`); by default it is
 * `rooms.<platform host>`, and `rooms.localhost` when the platform is reached at an IP address or
 * `localhost` (browsers resolve every `*.localhost` name to loopback). In production it should be a
 * wildcard name with a wildcard certificate on another registrable domain than the platform's, as
 * JupyterHub recommends for user content: a room then is not even same-site with the platform.
 *
 * Room ids are DNS labels (`policy.ts`'s ROOM_ID), so they can be host names.
 */
import { isIP } from 'node:net';
import { ROOM_ID } from './path-policy.ts';

export interface RoomHosts {
  /** The rooms domain, e.g. `rooms.localhost`. */
  domain(): string;
  /** `http(s)://<room>.<domain>[:port]`. */
  origin(roomId: string): string;
  /** The websocket origin a room's page may connect to (`ws(s)://…`). */
  wsOrigin(roomId: string): string;
  /** The platform's own origin. */
  platformOrigin(): string;
  /**
   * For a request's `Host`: the room it names, `null` for a name under the rooms domain that is no
   * room id (refused, never the platform), `undefined` for any other host (the platform).
   */
  roomOf(host: string | undefined): string | null | undefined;
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Whether `name` can be a rooms domain (lower-case DNS name). */
export const validRoomsDomain = (name: string) => HOST_NAME.test(name);

export function createRoomHosts(platformUrl: () => string, configured?: string): RoomHosts {
  let seen = '';
  let last = { scheme: '', port: '', domain: '', origin: '' };
  const parts = () => {
    const url = platformUrl();
    if (url === seen) return last;
    const u = new URL(url);
    const bare = u.hostname.replace(/^\[|\]$/g, '');
    const domain = configured ?? (isIP(bare) || bare === 'localhost' ? 'rooms.localhost' : `rooms.${bare}`);
    seen = url;
    return (last = { scheme: u.protocol, port: u.port ? `:${u.port}` : '', domain: domain.toLowerCase(), origin: u.origin });
  };
  return {
    domain: () => parts().domain,
    origin(roomId) {
      const p = parts();
      return `${p.scheme}//${roomId}.${p.domain}${p.port}`;
    },
    wsOrigin(roomId) {
      const p = parts();
      return `${p.scheme === 'https:' ? 'wss:' : 'ws:'}//${roomId}.${p.domain}${p.port}`;
    },
    platformOrigin: () => parts().origin,
    roomOf(host) {
      if (!host) return undefined;
      let name = host.toLowerCase();
      if (!name.startsWith('[')) {
        const colon = name.lastIndexOf(':');
        if (colon >= 0) name = name.slice(0, colon);
      }
      if (name.endsWith('.')) name = name.slice(0, -1);
      const suffix = `.${parts().domain}`;
      if (!name.endsWith(suffix)) return undefined;
      const label = name.slice(0, -suffix.length);
      return ROOM_ID.test(label) ? label : null;
    },
  };
}
