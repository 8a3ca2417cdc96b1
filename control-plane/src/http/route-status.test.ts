/**
 * A route is held to the success status it declares (`status`, a raw answer's own, or the
 * method's default), so the OpenAPI document, built from the same declaration, names the status
 * that is really served. Checked in tests (`TRE_CHECK_RESPONSES=1`), as the response schemas are.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AuditEntryInput, AuditService } from '../platform/index.ts';
import { noContent, redirect } from './answers.ts';
import { checkResponses } from './response-check.ts';
import { defineRoute, mountRoutes, type RouteDef } from './route.ts';

const answer = z.object({ ok: z.boolean() });
const routes: RouteDef[] = [
  defineRoute({
    method: 'post',
    path: '/created',
    summary: 's',
    tag: 't',
    action: 'a.created',
    access: 'public',
    csrfExempt: true,
    response: answer,
    async handler() {
      return { ok: true };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/declared-200',
    summary: 's',
    tag: 't',
    action: 'a.d200',
    access: 'public',
    csrfExempt: true,
    response: answer,
    status: 200,
    async handler() {
      return { ok: true };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/undeclared-200',
    summary: 's',
    tag: 't',
    action: 'a.u200',
    access: 'public',
    csrfExempt: true,
    response: answer,
    async handler() {
      return { status: 200, body: { ok: true } };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/gone',
    summary: 's',
    tag: 't',
    action: 'a.gone',
    access: 'public',
    csrfExempt: true,
    response: noContent(),
    async handler() {
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/gone-with-json',
    summary: 's',
    tag: 't',
    action: 'a.gone-json',
    access: 'public',
    csrfExempt: true,
    response: noContent(),
    async handler() {
      return { ok: true };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/elsewhere',
    summary: 's',
    tag: 't',
    action: 'a.redirect',
    access: 'public',
    response: redirect('away'),
    async handler({ res, commitSuccess }) {
      await commitSuccess();
      res.redirect(303, '/created');
      return { sent: true };
    },
  }),
];

const entries: AuditEntryInput[] = [];
const audit: AuditService = {
  async record(e) {
    entries.push(e);
    return { seq: entries.length - 1, hash: '' };
  },
};

let base: string;
let close: () => void;
beforeAll(async () => {
  const app = express();
  const router = express.Router();
  mountRoutes(router, routes, { audit, authenticate: async () => null });
  app.use(router);
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: err.message });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close?.());

const call = async (method: string, path: string) => {
  const res = await fetch(`${base}${path}`, { method, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as unknown) : text || null };
};

describe('the declared success status', () => {
  it('is on in tests', () => {
    expect(checkResponses).toBe(true);
  });

  it('201 by default for a POST, 200 when the route declares it', async () => {
    expect(await call('POST', '/created')).toEqual({ status: 201, body: { ok: true } });
    expect(await call('POST', '/declared-200')).toEqual({ status: 200, body: { ok: true } });
  });

  it('500 naming the route when a handler answers a status its declaration does not say', async () => {
    expect(await call('POST', '/undeclared-200')).toEqual({
      status: 500,
      body: { error: 'response of POST /undeclared-200 answers 200, its declaration says 201' },
    });
  });

  it('204 and 303 for raw answers that declare them; 500 when a route declared without a body answers JSON', async () => {
    expect(await call('DELETE', '/gone')).toEqual({ status: 204, body: null });
    expect((await call('GET', '/elsewhere')).status).toBe(303);
    expect(await call('DELETE', '/gone-with-json')).toEqual({
      status: 500,
      body: { error: 'response of DELETE /gone-with-json is JSON, its declaration says it is not' },
    });
  });

  it('records the broken answer as a failure in the audit log, not as a success', async () => {
    entries.length = 0;
    await call('POST', '/undeclared-200');
    expect(entries.map((e) => [e.action, e.outcome])).toEqual([
      ['a.u200', 'initiated'],
      ['a.u200', 'failure'],
    ]);
  });
});
