/** The demo, seeded and used through the real `tre` command against real control planes. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTre, TRE } from '../support/tre.ts';
import { freePorts } from '../support/ports.ts';

interface Instance {
  proc: ChildProcess;
  url: string;
  dataDir: string;
  output: () => string;
}

async function startInstance(port: number): Promise<Instance> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tre-cli-'));
  const proc = spawn(TRE, ['start', '--demo', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir], {
    env: { ...process.env, TRE_DEMO_PASSWORD: 'demo' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c) => (out += c));
  proc.stderr!.on('data', (c) => (out += c));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 1500 && !out.includes('Analyserom is running at'); i++) {
    if (proc.exitCode !== null) throw new Error(`tre start exited: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!out.includes('Analyserom is running at')) throw new Error(`tre start did not come up: ${out}`);
  return { proc, url, dataDir, output: () => out };
}

const tre = (args: string[], env: Record<string, string>) => runTre(args, env);

describe('tre against two control planes side by side', () => {
  let a: Instance;
  let b: Instance;
  const cfg = mkdtempSync(join(tmpdir(), 'tre-cfg-'));
  const env = { TRE_CONFIG_DIR: cfg };

  beforeAll(async () => {
    const [pa, pb] = await freePorts(2);
    [a, b] = await Promise.all([startInstance(pa!), startInstance(pb!)]);
  });
  afterAll(async () => {
    for (const i of [a, b]) {
      // A graceful stop: SIGKILL would leave the instance's embedded PostgreSQL running.
      if (i && i.proc.exitCode === null && i.proc.signalCode === null) {
        const exited = new Promise((r) => i.proc.once('exit', r));
        i.proc.kill('SIGTERM');
        await exited;
      }
      if (i) rmSync(i.dataDir, { recursive: true, force: true });
    }
    rmSync(cfg, { recursive: true, force: true });
  });

  it('prints how to log in and warns that demo mode waives the second factor', () => {
    expect(a.output()).toContain(`Analyserom is running at ${a.url}`);
    expect(a.output()).toContain('WARNING: demo mode: second factors are waived');
    expect(a.output()).toContain('researcher, lead, admin1, admin2, auditor, citizen, operator');
  });

  it('prints a login command that works as printed, from any folder', async () => {
    const command = a
      .output()
      .split('\n')
      .find((l) => l.startsWith('CLI: '))
      ?.slice('CLI: '.length);
    // No tre on the test's PATH, as in a checkout: the command names bin/tre by its absolute path.
    expect(command).toBe(`${TRE} login --url ${a.url} --user researcher --password $TRE_DEMO_PASSWORD`);
    const printedCfg = mkdtempSync(join(tmpdir(), 'tre-cfg-printed-'));
    try {
      await promisify(execFile)('sh', ['-c', command!], { cwd: '/', env: { ...process.env, TRE_DEMO_PASSWORD: 'demo', TRE_CONFIG_DIR: printedCfg } });
      expect((await tre(['whoami', '--json'], { TRE_CONFIG_DIR: printedCfg })).json).toMatchObject({ id: 'researcher' });
    } finally {
      rmSync(printedCfg, { recursive: true, force: true });
    }
  });

  it('logs in, stores the token, and TRE_URL/TRE_TOKEN override it', async () => {
    const login = await tre(['login', '--url', a.url, '--user', 'lead', '--password', 'demo', '--json'], env);
    expect(login.code).toBe(0);
    expect(login.json.token).toMatch(/^tre_t_/);
    const who = await tre(['whoami', '--json'], env);
    expect(who.json).toMatchObject({ id: 'lead', roles: ['project_lead', 'researcher'] });
    const tokenB = (
      await tre(['login', '--url', b.url, '--user', 'auditor', '--password', 'demo', '--json'], { TRE_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'tre-cfg-b-')) })
    ).json.token;
    const other = await tre(['whoami', '--json'], { ...env, TRE_URL: b.url, TRE_TOKEN: tokenB });
    expect(other.json.id).toBe('auditor');
  });

  it('fails clearly with a wrong password', async () => {
    const res = await tre(['login', '--url', a.url, '--user', 'lead', '--password', 'nope', '--json'], {
      TRE_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'tre-cfg-x-')),
    });
    expect(res.code).toBe(1);
    expect(res.json.error.message).toBe('401 wrong user name, password or code');
  });

  it('walks the demo through the CLI: apply, decide, issue, show, amend', async () => {
    const projects = await tre(['projects', 'list', '--json'], env);
    expect(projects.json).toHaveLength(1);
    const demo = projects.json[0];
    expect(demo.status).toBe('active');
    const shown = await tre(['projects', 'show', demo.id, '--json'], env);
    expect(shown.json.members.map((m: { userId: string }) => m.userId)).toEqual(['lead', 'researcher']);

    const file = join(cfg, 'application.json');
    writeFileSync(
      file,
      JSON.stringify({
        kind: 'new',
        project: {
          title: 'Cancer screening uptake',
          purpose: 'Uptake of screening by municipality.',
          dataControllers: ['Cancer Registry'],
          legalBasis: 'hrl-19',
          period: { from: '2020-01-01', to: '2028-12-31' },
        },
        datasets: [{ dataset: 'cancer', variables: ['diagnosis_date', 'site'] }],
        period: { from: '2020-01-01', to: '2025-12-31' },
        members: [{ userId: 'researcher', role: 'researcher' }],
      }),
    );
    const submitted = await tre(['applications', 'submit', '--file', file, '--json'], env);
    expect(submitted.json).toMatchObject({ status: 'submitted', kind: 'new' });

    const adminEnv = { TRE_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'tre-cfg-admin-')) };
    await tre(['login', '--url', a.url, '--user', 'admin2', '--password', 'demo', '--json'], adminEnv);
    const pending = await tre(['applications', 'list', '--status', 'submitted', '--json'], adminEnv);
    expect(pending.json.map((x: { id: string }) => x.id)).toContain(submitted.json.id);
    const usage = await tre(['applications', 'decide', submitted.json.id, '--json'], adminEnv);
    expect([usage.code, usage.json.error.message]).toEqual([2, 'give exactly one of --approve and --reject']);
    const decided = await tre(['applications', 'decide', submitted.json.id, '--approve', '--reason', 'In order.', '--json'], adminEnv);
    expect(decided.json.status).toBe('approved');
    const permit = await tre(['permits', 'issue', '--application', submitted.json.id, '--expires', '2028-12-31T23:59:59Z', '--json'], adminEnv);
    expect(permit.json).toMatchObject({ version: 1, authorisedPersons: ['lead', 'researcher'] });
    const amended = await tre(
      ['permits', 'amend', permit.json.projectId, '--case-type', 'new_period', '--reason', 'Extended.', '--expires', '2029-06-30T00:00:00Z', '--json'],
      adminEnv,
    );
    expect(amended.json).toMatchObject({ id: permit.json.id, version: 2, expiresAt: '2029-06-30T00:00:00.000Z' });
    const versions = await tre(['permits', 'show', '--project', permit.json.projectId, '--json'], env);
    expect(versions.json.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const one = await tre(['permits', 'show', permit.json.id, '--version', '1', '--json'], env);
    expect(one.json.expiresAt).toBe('2028-12-31T23:59:59.000Z');
  });

  it('lets the platform admin manage users and refuses others', async () => {
    const opEnv = { TRE_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'tre-cfg-op-')) };
    await tre(['login', '--url', a.url, '--user', 'operator', '--password', 'demo', '--json'], opEnv);
    const created = await tre(
      ['users', 'create', 'newbie', '--name', 'New Researcher', '--roles', 'researcher', '--password', 'newbie-password-1', '--json'],
      opEnv,
    );
    expect(created.json).toMatchObject({ user: { id: 'newbie', roles: ['researcher'] }, totpUri: null });
    const list = await tre(['users', 'list', '--json'], opEnv);
    expect(list.json.map((u: { id: string }) => u.id)).toEqual(['admin1', 'admin2', 'auditor', 'citizen', 'lead', 'newbie', 'operator', 'researcher']);
    const disabled = await tre(['users', 'update', 'newbie', '--disable', '--json'], opEnv);
    expect(disabled.json.disabled).toBe(true);
    const refused = await tre(['users', 'list', '--json'], env);
    expect([refused.code, refused.json.error.message]).toEqual([1, '403 this needs the role platform_admin']);
  });

  it('names a bad option and exits 2', async () => {
    const res = await tre(['projects', 'list', '--bogus', '--json'], env);
    expect(res.code).toBe(2);
    expect(res.json.error.message).toMatch(/Unknown option '--bogus'/);
  });

  it('stops gracefully on SIGTERM, finishing a request in flight, and keeps the data for the next start', async () => {
    const inflight = fetch(`${b.url}/api/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'lead', password: 'demo' }),
    });
    await new Promise((r) => setTimeout(r, 20));
    b.proc.kill('SIGTERM');
    const res = await inflight;
    expect(res.status).toBe(201);
    const code = await new Promise((r) => b.proc.once('exit', r));
    expect(code).toBe(0);
    const again = await startInstance(Number(new URL(b.url).port));
    try {
      const login = await fetch(`${again.url}/api/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'lead', password: 'demo' }),
      });
      expect(login.status).toBe(201);
    } finally {
      again.proc.kill('SIGTERM');
      await new Promise((r) => again.proc.once('exit', r));
    }
  });
});
