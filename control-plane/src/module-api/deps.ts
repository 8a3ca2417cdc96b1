import type { AuditService, Clock, Logger } from '../platform/index.ts';
import type { Config } from '../config/index.ts';
import type { SecretBox } from '../secrets/index.ts';
import type { Store } from '../store/index.ts';

/** What the bounded contexts need from the platform, passed in explicitly (no container). */
export interface CoreDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  audit: AuditService;
  box: SecretBox;
  config: Config;
}
