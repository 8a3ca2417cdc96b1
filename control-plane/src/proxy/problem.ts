/** The proxy's answers of its own: `application/problem+json`, the shape the platform's API uses. */
import type { ServerResponse } from 'node:http';

export function problem(res: ServerResponse, status: number, reason: string, detail: string): void {
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, reason });
  res.writeHead(status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 413: 'Content Too Large', 502: 'Bad Gateway', 503: 'Service Unavailable',
};

/** A redirect (`303 See Other` unless told), with no body worth reading. */
export function redirect(res: ServerResponse, location: string, status = 303): void {
  res.writeHead(status, { location, 'content-length': '0', 'cache-control': 'no-store' });
  res.end();
}
