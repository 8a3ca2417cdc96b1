/**
 * The run's leftover check (support/leftovers.ts) as a vitest global setup: watches from the start
 * and fails the run at its end if anything the run started is still running, naming each and
 * ending it. test/global-setup.ts runs it for `npm test`.
 */
import { randomBytes } from 'node:crypto';
import { watchLeftovers } from './support/leftovers.ts';

export default function leftoversCheck(): () => Promise<void> {
  process.env.TRE_TEST_RUN = randomBytes(8).toString('hex');
  const watch = watchLeftovers(`TRE_TEST_RUN=${process.env.TRE_TEST_RUN}`);
  return async () => {
    const left = await watch.finish(Number(process.env.TRE_LEFTOVER_GRACE_MS ?? 20_000));
    if (left.length === 0) return;
    watch.kill();
    throw new Error(`the test run left ${left.length} processes running (now killed); the suite that started each must stop it:\n${left.join('\n')}`);
  };
}
