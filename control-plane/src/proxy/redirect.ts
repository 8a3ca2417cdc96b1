/** The proxy's redirects. Its refusals are problems like every other answer of the platform (`http/problem.ts`). */
import type { ServerResponse } from 'node:http';

/** A redirect (`303 See Other` unless told), with no body worth reading. */
export function redirect(res: ServerResponse, location: string, status = 303): void {
  res.writeHead(status, { location, 'content-length': '0', 'cache-control': 'no-store' });
  res.end();
}
