/**
 * A control plane in a process of its own, for tests that kill one (`kill -9`): the rooms module on
 * the test settings, the store at `argv[2]` (a database URL), the master key in `TRE_MASTER_KEY`,
 * a manual clock at `argv[3]` (the test's, so both judge time alike), its own temporary data
 * directory. Prints `{"url", "dataDir"}` once serving.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startPlatform } from '../../control-plane/src/server/index.ts';
import { manualClock, silentLogger } from '../../control-plane/src/platform/index.ts';
import { createRoomsModule } from '../../control-plane/src/rooms/index.ts';
import { REPLICA_TEST_OPTIONS } from './replica-options.ts';

const [databaseUrl, now] = process.argv.slice(2) as [string, string];
const dataDir = mkdtempSync(join(tmpdir(), 'tre-replica-'));
const config = loadConfig({ host: '127.0.0.1', port: 0, dataDir, demo: true, demoPassword: 'demo', databaseUrl, masterKey: process.env.TRE_MASTER_KEY });
const platform = await startPlatform(config, { clock: manualClock(now), logger: silentLogger, modules: [createRoomsModule(REPLICA_TEST_OPTIONS)] });
process.stdout.write(`${JSON.stringify({ url: platform.url, dataDir })}\n`);
