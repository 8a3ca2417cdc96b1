import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { assertResponse } from './response-check.ts';

const Project = z.object({ id: z.string(), title: z.string(), members: z.array(z.object({ userId: z.string() })), createdAt: z.string() });

describe('the response contract', () => {
  it('passes an answer that is exactly what the schema declares, dates as they go on the wire', () => {
    expect(() => assertResponse('GET /p', Project, { id: 'p1', title: 'T', members: [{ userId: 'u' }], createdAt: new Date(0) })).not.toThrow();
  });

  it('names the field of an answer that breaks the schema', () => {
    expect(() => assertResponse('GET /p', Project, { id: 'p1', title: 3, members: [], createdAt: 'x' })).toThrow(/GET \/p breaks its schema at title/);
  });

  it('names a field the schema does not declare, however deep', () => {
    expect(() => assertResponse('GET /p', Project, { id: 'p1', title: 'T', members: [{ userId: 'u', secret: 's' }], createdAt: 'x' })).toThrow(
      /does not declare: members\[0\]\.secret/,
    );
  });
});
