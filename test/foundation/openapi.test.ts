/**
 * The OpenAPI document is the contract the UI, the CLI and outside clients read: every operation
 * of a running platform must say what its success answers (a schema, or the media types of a body
 * that is not JSON, or no body for 204 and redirects), and every reference must resolve.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

/**
 * Routes whose response schemas another branch (contract-b: rooms, data copies, airlock) is
 * writing. Delete this set when that branch is merged: from then on no route may lack one.
 */
type Operation = { responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }> };
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

let p: TestPlatform;
let doc: Document;

beforeAll(async () => {
  p = await startTestPlatform();
  const res = await p.call('GET', '/api/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body as Document;
});
afterAll(() => p?.stop());

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })));

/** Why an operation's success answer is undocumented, or null when it is documented. */
function undocumented(op: Operation): string | null {
  const success = Object.entries(op.responses).filter(([status]) => /^[23]\d\d$/.test(status));
  if (success.length === 0) return 'no success status';
  for (const [status, answer] of success) {
    const content = Object.entries(answer.content ?? {});
    if (status === '204' || status.startsWith('3')) {
      if (content.length) return `${status} with a body`;
      continue;
    }
    if (content.length === 0) return `${status} without content`;
    const empty = content.filter(([, c]) => !c.schema || Object.keys(c.schema).length === 0).map(([media]) => media);
    if (empty.length) return `empty schema for ${empty.join(', ')}`;
  }
  return null;
}

describe('the OpenAPI document', () => {
  it('documents the success answer of every operation of the running platform', () => {
    const missing = operations()
      .filter(({ op }) => undocumented(op) !== null)
      .map(({ name }) => name);
    expect(missing).toEqual([]);
  });

  it('gives every operation its own id', () => {
    const ids = operations().map(({ op }) => (op as Operation & { operationId: string }).operationId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('resolves every schema reference to a component', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    const unresolved = refs.filter((r) => !(r.startsWith('#/components/schemas/') && r.slice('#/components/schemas/'.length) in doc.components.schemas));
    expect([...new Set(unresolved)]).toEqual([]);
  });

  it('names the real status and body of answers that are not one JSON document', () => {
    expect(Object.keys(doc.paths['/api/projects/{projectId}/members/{userId}']!.delete!.responses)).toContain('204');
    expect(doc.paths['/api/projects/{projectId}/members/{userId}']!.delete!.responses['204']!.content).toBeUndefined();
    expect(Object.keys(doc.paths['/api/auth/oidc/login']!.get!.responses)).toContain('303');
    expect(Object.keys(doc.paths['/api/audit/export']!.get!.responses['200']!.content!)).toEqual(['application/x-ndjson', 'text/csv']);
    expect(Object.keys(doc.paths['/api/catalog/datasets/{dataset}/variables/{variable}/distribution']!.get!.responses['200']!.content!)).toEqual([
      'application/json',
      'application/vnd.apache.arrow.stream',
    ]);
    // A POST that answers what it changed rather than what it created says 200, as it is served.
    expect(Object.keys(doc.paths['/api/applications/{applicationId}/decision']!.post!.responses)).toContain('200');
    expect(Object.keys(doc.paths['/api/applications']!.post!.responses)).toContain('201');
    // A route that answers one of two statuses documents both: a room started (201) or the one running (200).
    expect(Object.keys(doc.paths['/api/projects/{projectId}/rooms']!.post!.responses)).toEqual(expect.arrayContaining(['201', '200']));
  });

  it('describes a permit once, as a component every route that answers one refers to', () => {
    const permit = doc.components.schemas.Permit as { properties: Record<string, unknown>; required: string[] };
    expect(permit.required).toContain('applicationId');
    const ref = { $ref: '#/components/schemas/Permit' };
    expect(doc.paths['/api/permits/{permitId}']!.get!.responses['200']!.content!['application/json']!.schema).toEqual(ref);
    expect(doc.paths['/api/projects/{projectId}/permits']!.get!.responses['200']!.content!['application/json']!.schema).toEqual({ type: 'array', items: ref });
  });
});
