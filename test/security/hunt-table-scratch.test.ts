/**
 * A table check of an `/outputs` file copies the file into the control plane before DuckDB reads
 * it. Before these bounds a researcher (or code in a room, through its channel) could make the
 * control plane copy up to 4 GiB per request into its `/tmp`, as many requests at once as it
 * liked, and a check that died mid-way left its copy behind for good.
 */
import { mkdirSync, openSync, closeSync, ftruncateSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableScratch } from '../../control-plane/src/airlock/index.ts';
import { CROSSTAB, microdataCsv, startAirlock, type AirlockTest } from '../airlock/support.ts';

let t: AirlockTest;
let scratchRoot: string;

beforeAll(async () => {
  t = await startAirlock();
  scratchRoot = join(t.p.dataDir, 'scratch', 'tables');
}, 120_000);
afterAll(async () => {
  await t?.p.stop();
});

const check = (output: string) =>
  t.p.call('POST', `/api/projects/${t.projectId}/outputs/check-table`, {
    as: 'researcher',
    body: { source: { output }, spec: CROSSTAB },
  });
const leftInScratch = () => (existsSync(scratchRoot) ? readdirSync(scratchRoot) : []);

describe('table checks of /outputs are bounded', () => {
  it('403 file_too_large, before copying, for a source larger than the policy lets a request stage', async () => {
    // default.yaml: files.maxRequestBytes = 200 MiB. A sparse file: costs the test no disk.
    t.output('researcher', 'huge.csv', microdataCsv());
    const fd = openSync(join(t.paths.outputs(t.projectId, 'researcher'), 'huge.csv'), 'r+');
    ftruncateSync(fd, 200 * 1024 ** 2 + 1);
    closeSync(fd);
    const res = await check('huge.csv');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ reason: 'file_too_large', maxBytes: 200 * 1024 ** 2 });
    expect(leftInScratch()).toEqual([]);
  });

  it('429 table_checks_busy while every slot of the control plane is taken; 200 once one is free', async () => {
    t.output('researcher', 'micro.csv', microdataCsv());
    const held: (() => void)[] = [];
    try {
      for (;;) held.push(tableScratch.acquire());
    } catch {
      // all taken
    }
    try {
      expect(held.length).toBeGreaterThan(0);
      const refused = await check('micro.csv');
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ reason: 'table_checks_busy', concurrent: held.length });
      // The refused check is audited like any other.
      const denied = await t.p.deps.store.query<{ outcome: string }>(
        "SELECT outcome FROM audit_log WHERE action = 'output.check-table' AND reason LIKE 'at most % table checks run at once%'",
      );
      expect(denied).toEqual([{ outcome: 'denied' }]);
      held.pop()!();
      const ok = await check('micro.csv');
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ status: 'fail', source: { kind: 'output', file: 'micro.csv' } });
    } finally {
      for (const release of held) release();
    }
    expect(tableScratch.inUse()).toBe(0);
  });

  it('copies are made under the data dir and removed on success, on refusal and on unreadable data', async () => {
    t.output('researcher', 'ok.csv', microdataCsv());
    t.output('researcher', 'binary.csv', Buffer.from([0, 1, 2, 255, 254, 0, 10, 0, 0, 13]));
    expect((await check('ok.csv')).status).toBe(200);
    const bad = await check('binary.csv');
    expect(bad.status).toBe(400);
    expect(leftInScratch()).toEqual([]);
    expect(tableScratch.inUse()).toBe(0);
  });

  it('what a control plane that died mid-check left in its scratch is removed by the next check', async () => {
    const leftover = join(scratchRoot, 'check-dead1');
    t.output('researcher', 'ok2.csv', microdataCsv());
    // This process already swept once; a fresh control plane (a new scratch) sweeps on first use.
    const { createTableScratch, checkTableRequest } = await import('../../control-plane/src/airlock/index.ts');
    const fresh = createTableScratch();
    const rules = (await check('ok2.csv')).body.policy.tables;
    mkdirSync(leftover, { recursive: true }); // the API's check above may not sweep again: this process swept already
    const checked = await checkTableRequest({
      paths: t.paths,
      projectId: t.projectId,
      userId: 'researcher',
      request: { source: { output: 'ok2.csv' }, spec: CROSSTAB },
      rules,
      earlier: [],
      scratch: fresh,
    });
    expect(checked.source).toMatchObject({ kind: 'output', file: 'ok2.csv' });
    expect(leftInScratch()).toEqual([]);
  });
});
