/**
 * The platform's kernel: what every bounded context may use and none owns. The clock and logger
 * passed in as dependencies, the data directory's layout, who is calling (`Principal`, `Role`) and
 * the audit service's contract (implemented by `audit/`). Imports no other folder, so every folder
 * may import it.
 */
