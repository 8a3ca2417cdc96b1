import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateCheckpointKey, signCheckpoint, type Checkpoint } from './checkpoint.ts';
import { readCheckpointFile } from './checkpoint-file.ts';

const key = generateCheckpointKey();

const checkpoint = fc.record({
  origin: fc.stringMatching(/^[a-z][a-z0-9./-]{0,30}$/),
  treeSize: fc.integer({ min: 0, max: 2 ** 40 }),
  rootHash: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
  time: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
}) as fc.Arbitrary<Checkpoint>;

const file = (c: Checkpoint, edit: Partial<Record<keyof Checkpoint, unknown>> = {}) =>
  JSON.stringify({ ...c, ...edit, note: signCheckpoint(c, key.privateKeyPem) });

describe('checkpoint files', () => {
  it('accepts a file as published, and the bare note', () => {
    fc.assert(
      fc.property(checkpoint, (c) => {
        expect(readCheckpointFile(file(c))).toEqual({ ok: true, note: signCheckpoint(c, key.privateKeyPem) });
        expect(readCheckpointFile(signCheckpoint(c, key.privateKeyPem)).ok).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a file whose plain field, any one, says other than its signed note', () => {
    const field = fc.constantFrom<keyof Checkpoint>('origin', 'treeSize', 'rootHash', 'time');
    fc.assert(
      fc.property(
        checkpoint,
        field,
        fc.oneof(
          fc.string(),
          fc.integer(),
          fc.constant(null),
          checkpoint.map((o) => o.rootHash),
        ),
        (c, f, value) => {
          fc.pre(value !== c[f]);
          expect(readCheckpointFile(file(c, { [f]: value }))).toMatchObject({ ok: false, kind: 'checkpoint-mismatch' });
        },
      ),
      { numRuns: 200 },
    );
  });
});
