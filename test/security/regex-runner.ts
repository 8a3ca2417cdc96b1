/**
 * Worker for `stalls-regex.test.ts`: runs each pattern over its pathological inputs and reports
 * after each one, so the test can terminate a worker stuck in a backtracking expression (a
 * synchronous `RegExp` run cannot be interrupted on its own thread) and name the pattern.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pathologicalInputs } from './regex-inputs.ts';

interface Job {
  source: string;
  flags: string;
}

for (const [i, job] of (workerData as Job[]).entries()) {
  const started = performance.now();
  let slowest = 0;
  let slowestInput = 0;
  for (const [k, input] of pathologicalInputs(job.source).entries()) {
    const t0 = performance.now();
    const re = new RegExp(job.source, job.flags);
    if (re.global || re.sticky) [...input.matchAll(new RegExp(job.source, re.global ? job.flags : `${job.flags}g`))];
    else re.test(input);
    input.split(re);
    const took = performance.now() - t0;
    if (took > slowest) [slowest, slowestInput] = [took, k];
  }
  parentPort!.postMessage({ i, ms: performance.now() - started, slowest, slowestInput });
}
