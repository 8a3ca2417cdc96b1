/**
 * `npm run bench:rooms`: room cold starts and proxy throughput.
 *
 *  1. Median of 10 starts of a local JupyterLab room to the first 200 through the proxy, with the
 *     rooms pool on (standby room prepared ahead of demand: `start_median_s`) and off (a true cold
 *     start of sandbox and JupyterLab: `start_unpooled_median_s`).
 *  2. Throughput and p50/p99 latency of one small GET to the same upstream: directly (TCP),
 *     through our proxy (a full control plane in its own process: bearer authentication, access
 *     cache, path policy, keep-alive forwarding to the upstream's unix socket, room requests taken
 *     from the HTTP server ahead of Express as start.ts does), through JupyterHub's
 *     configurable-http-proxy (TCP target, its keep-alive agent, logging at `error`), through
 *     naive Express + http-proxy-middleware (its defaults, `serve-hpm.ts`) and through nginx (one
 *     worker, keep-alive upstream pool to the unix socket). Load from autocannon in its
 *     own process with the same connection count for every target, each target warmed up first,
 *     targets interleaved in rounds, the median round kept. Our proxy and configurable-http-proxy
 *     run back to back in every round (which of them goes first alternates), and their ratio is
 *     the median of the per-round ratios: two runs seconds apart share the host's load, which
 *     moves within a minute far more than either proxy's speed does.
 *     Besides req/s (which on a shared host moves with everyone else's load) the CPU time each
 *     proxy process spent per request is read from /proc: a figure of the proxy's own cost that
 *     others' load disturbs much less.
 * Figures are printed as a table; the last line is one JSON object.
 */
import { request as undiciRequest } from 'undici';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { coldStarts } from './cold-starts.ts';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 6);
const COLD_STARTS = Number(process.env.BENCH_COLD_STARTS ?? 10);
/** Targets are measured in interleaved rounds and the median round kept: this host is shared, and load from others shifts within seconds. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const node = process.execPath;
/** What bin/tre runs the control plane with. */
const PROXY_NODE_FLAGS = ['--max-semi-space-size=32', '--no-allocation-site-pretenuring'];
/** configurable-http-proxy gets the same unless BENCH_CHP_NODE_FLAGS says otherwise ('' for Node's defaults, as JupyterHub runs it). */
const CHP_NODE_FLAGS = process.env.BENCH_CHP_NODE_FLAGS === undefined ? PROXY_NODE_FLAGS : process.env.BENCH_CHP_NODE_FLAGS.split(' ').filter(Boolean);
const log = (line: string) => process.stderr.write(`${line}\n`);
const children: ChildProcess[] = [];

function launch(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => process.env.BENCH_VERBOSE && process.stderr.write(d));
  children.push(child);
  return child;
}

async function firstLine(child: ChildProcess): Promise<string> {
  const rl = createInterface({ input: child.stdout! });
  for await (const line of rl) if (line.trim().startsWith('{')) return line;
  throw new Error('child exited before it was ready');
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function waitFor(url: string, headers: Record<string, string> = {}): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      // undici's request, not fetch: fetch does not send a Host of the caller's choosing.
      const r = await undiciRequest(url, { headers });
      await r.body.dump();
      if (r.statusCode === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} never answered 200`);
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  cpuUs: number | null;
}

const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
/** User plus system CPU time of a process so far, in µs (Linux /proc); null where there is none. */
function cpuUs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_US;
  } catch {
    return null;
  }
}

/** Load on `url`; `pid` is the process serving it, whose CPU time per request is reported. */
async function load(url: string, headers: string[], seconds: number, pid?: number): Promise<Load> {
  const args = [
    resolve('node_modules/autocannon/autocannon.js'),
    '-c',
    String(CONNECTIONS),
    '-d',
    String(seconds),
    '-j',
    ...headers.flatMap((h) => ['-H', h]),
    url,
  ];
  const before = cpuUs(pid);
  const child = launch(node, args);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.on('exit', r));
  const after = cpuUs(pid);
  const j = JSON.parse(out) as { requests: { average: number; total: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
  const cpu = before !== null && after !== null && j.requests.total > 0 ? Math.round((after - before) / j.requests.total) : null;
  return { rps: Math.round(j.requests.average), p50: j.latency.p50, p99: j.latency.p99, non2xx: j.non2xx, errors: j.errors, cpuUs: cpu };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  // BENCH_COLD_STARTS=0 skips the starts (iterating on the proxy half); their figures are then null.
  let startMedian = Number.NaN;
  let coldMedian = Number.NaN;
  if (COLD_STARTS > 0) {
    log(`starts of a local JupyterLab room with the rooms pool (${COLD_STARTS}):`);
    const starts = await coldStarts(COLD_STARTS, true, log);
    startMedian = median(starts);
    log(`  median ${startMedian.toFixed(3)} s, min ${Math.min(...starts).toFixed(3)} s, max ${Math.max(...starts).toFixed(3)} s`);
    log(`cold starts of a local JupyterLab room without a pool (${COLD_STARTS}):`);
    const cold = await coldStarts(COLD_STARTS, false, log);
    coldMedian = median(cold);
    log(`  median ${coldMedian.toFixed(3)} s, min ${Math.min(...cold).toFixed(3)} s, max ${Math.max(...cold).toFixed(3)} s`);
  }

  const work = mkdtempSync(join(tmpdir(), 'bench-rooms-'));
  chmodSync(work, 0o755);
  try {
    const socketPath = join(work, 'upstream.sock');
    const upstream = JSON.parse(await firstLine(launch(node, [resolve('bench/rooms/upstream.ts'), socketPath]))) as { port: number };
    // Both proxies run with the V8 settings `tre start` gives the control plane (bin/tre): the
    // same for each, so neither gains from them alone.
    const oursProc = launch(node, [...PROXY_NODE_FLAGS, resolve('bench/rooms/serve-proxy.ts'), socketPath]);
    const ours = JSON.parse(await firstLine(oursProc)) as { url: string; token: string; roomId: string; roomHost: string };

    const chpPort = await freePort();
    const chpProc = launch(
      node,
      [
        ...CHP_NODE_FLAGS,
        resolve('node_modules/configurable-http-proxy/bin/configurable-http-proxy'),
        '--ip',
        '127.0.0.1',
        '--port',
        String(chpPort),
        '--api-ip',
        '127.0.0.1',
        '--api-port',
        String(await freePort()),
        '--default-target',
        `http://127.0.0.1:${upstream.port}`,
        '--log-level',
        'error',
      ],
      { ...process.env, CONFIGPROXY_AUTH_TOKEN: 'bench' },
    );

    const hpmProc = launch(node, [...PROXY_NODE_FLAGS, resolve('bench/rooms/serve-hpm.ts'), String(upstream.port)]);
    const hpm = JSON.parse(await firstLine(hpmProc)) as { port: number };

    const nginxPort = await freePort();
    const nginxDir = join(work, 'nginx');
    mkdirSync(nginxDir);
    writeFileSync(
      join(nginxDir, 'nginx.conf'),
      `
worker_processes 1;
daemon off;
pid ${nginxDir}/nginx.pid;
error_log ${nginxDir}/error.log error;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${nginxDir}/body; proxy_temp_path ${nginxDir}/proxy; fastcgi_temp_path ${nginxDir}/fcgi;
  uwsgi_temp_path ${nginxDir}/uwsgi; scgi_temp_path ${nginxDir}/scgi;
  upstream room { server unix:${socketPath}; keepalive 64; }
  server {
    listen 127.0.0.1:${nginxPort};
    location / { proxy_pass http://room; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
`,
    );
    const nginxProc = launch('nginx', ['-c', join(nginxDir, 'nginx.conf'), '-p', nginxDir]);

    const path = `/rooms/${ours.roomId}/api/status`;
    const auth = `authorization=Bearer ${ours.token}`;
    // nginx's CPU is its one worker's (a child of the master we started).
    const nginxWorker = () => {
      try {
        return Number(readFileSync(`/proc/${nginxProc.pid}/task/${nginxProc.pid}/children`, 'utf8').trim().split(' ')[0]) || undefined;
      } catch {
        return undefined;
      }
    };
    type Target = [string, string, string[], () => number | undefined];
    const targets: Target[] = [
      ['direct', `http://127.0.0.1:${upstream.port}${path}`, [], () => undefined],
      // Our proxy serves the room at its own origin: the room's Host on the platform's address.
      ['proxy', `${ours.url}${path}`, [auth, `host=${ours.roomHost}`], () => oursProc.pid],
      ['chp', `http://127.0.0.1:${chpPort}${path}`, [], () => chpProc.pid],
      ['nginx', `http://127.0.0.1:${nginxPort}${path}`, [], nginxWorker],
      ['hpm', `http://127.0.0.1:${hpm.port}${path}`, [], () => hpmProc.pid],
    ];
    await waitFor(targets[1]![1], { authorization: `Bearer ${ours.token}`, host: ours.roomHost });
    for (const [, url] of [targets[0]!, targets[2]!, targets[3]!, targets[4]!]) await waitFor(url);

    const rounds: Record<string, Load[]> = {};
    log(
      `\nsmall GET, ${CONNECTIONS} connections, ${DURATION_S} s per target and round, ${ROUNDS} interleaved rounds (after a warm-up each: 6 s in the first round, 2 s later):`,
    );
    log('  round target   req/s    p50 ms  p99 ms  non-2xx  errors  cpu µs/req');
    for (let round = 1; round <= ROUNDS; round++) {
      const [direct, proxy, chp, nginx, hpmTarget] = targets as [Target, Target, Target, Target, Target];
      const order = round % 2 ? [proxy, chp, hpmTarget, nginx, direct] : [chp, proxy, direct, nginx, hpmTarget];
      for (const [name, url, headers, pid] of order) {
        // The first round's warm-up is longer for every target: a freshly started process (ours
        // most, a whole control plane) is still compiling its hot paths after 2 s.
        await load(url, headers, round === 1 ? 6 : 2);
        const r = await load(url, headers, DURATION_S, pid());
        (rounds[name] ??= []).push(r);
        log(
          `  ${String(round).padStart(5)} ${name.padEnd(7)} ${String(r.rps).padStart(7)}  ${String(r.p50).padStart(6)}  ${String(r.p99).padStart(6)}  ${String(r.non2xx).padStart(7)}  ${String(r.errors).padStart(6)}  ${String(r.cpuUs ?? '-').padStart(10)}`,
        );
      }
    }
    const results: Record<string, Load> = {};
    for (const [name, rs] of Object.entries(rounds)) {
      const cpus = rs.map((r) => r.cpuUs).filter((c): c is number => c !== null);
      results[name] = {
        rps: median(rs.map((r) => r.rps)),
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        non2xx: rs.reduce((a, r) => a + r.non2xx, 0),
        errors: rs.reduce((a, r) => a + r.errors, 0),
        cpuUs: cpus.length ? median(cpus) : null,
      };
    }
    log('  median of rounds:');
    for (const [name, r] of Object.entries(results))
      log(`  ${name.padEnd(7)} ${String(r.rps).padStart(7)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms${r.cpuUs === null ? '' : `  ${r.cpuUs} µs CPU/req`}`);
    const summary = {
      bench: 'rooms',
      start_median_s: COLD_STARTS > 0 ? Number(startMedian.toFixed(3)) : null,
      start_unpooled_median_s: COLD_STARTS > 0 ? Number(coldMedian.toFixed(3)) : null,
      direct_rps: results.direct!.rps,
      proxy_rps: results.proxy!.rps,
      chp_rps: results.chp!.rps,
      nginx_rps: results.nginx!.rps,
      proxy_p50_ms: results.proxy!.p50,
      proxy_p99_ms: results.proxy!.p99,
      chp_p50_ms: results.chp!.p50,
      chp_p99_ms: results.chp!.p99,
      nginx_p99_ms: results.nginx!.p99,
      proxy_cpu_us_per_req: results.proxy!.cpuUs,
      chp_cpu_us_per_req: results.chp!.cpuUs,
      nginx_cpu_us_per_req: results.nginx!.cpuUs,
      proxy_vs_chp: Number(median(rounds.proxy!.map((r, i) => r.rps / rounds.chp![i]!.rps)).toFixed(2)),
      proxy_vs_chp_rounds: rounds.proxy!.map((r, i) => Number((r.rps / rounds.chp![i]!.rps).toFixed(2))),
      proxy_vs_chp_cpu: results.proxy!.cpuUs && results.chp!.cpuUs ? Number((results.chp!.cpuUs / results.proxy!.cpuUs).toFixed(2)) : null,
      hpm_rps: results.hpm!.rps,
      hpm_p99_ms: results.hpm!.p99,
      hpm_cpu_us_per_req: results.hpm!.cpuUs,
      proxy_vs_hpm: Number(median(rounds.proxy!.map((r, i) => r.rps / rounds.hpm![i]!.rps)).toFixed(2)),
      hpm_vs_chp: Number(median(rounds.hpm!.map((r, i) => r.rps / rounds.chp![i]!.rps)).toFixed(2)),
      load_avg_1m: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
    };
    log(
      `\nour proxy: ${summary.proxy_vs_chp}x configurable-http-proxy's throughput (median of rounds ${summary.proxy_vs_chp_rounds.join(', ')}; target >= 1.5x), ${summary.proxy_vs_chp_cpu}x less CPU per request; p99 ${summary.proxy_p99_ms} ms vs ${summary.chp_p99_ms} ms (load average ${summary.load_avg_1m} on ${availableParallelism()} cores)`,
    );
    log(`naive Express + http-proxy-middleware: ${summary.hpm_vs_chp}x configurable-http-proxy's throughput; our proxy ${summary.proxy_vs_hpm}x it`);
    log(`JupyterLab room start median ${summary.start_median_s} s with the pool (target <= 1.0 s), ${summary.start_unpooled_median_s} s without`);
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
