/**
 * The system account the control plane serves as once started as root (`runAs`, default
 * `analyserom`). Looked up in the system's user database; created as a system user with its own
 * group, no home and no login shell when missing. Several control planes may start at once on one
 * machine, so a failed `useradd` is followed by another look-up before it counts as a failure.
 */
import { execFileSync } from 'node:child_process';
import { PrivilegeError } from './privilege-error.ts';

export interface ServiceAccount {
  name: string;
  uid: number;
  gid: number;
}

/** The account from `getent passwd NAME`, or undefined when there is none. */
export function lookupAccount(name: string): ServiceAccount | undefined {
  let line: string;
  try {
    line = execFileSync('getent', ['passwd', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined; // getent exits 2 when the key is not found
  }
  const [user, , uid, gid] = line.split(':');
  if (user !== name || uid === undefined || gid === undefined) return undefined;
  return { name, uid: Number(uid), gid: Number(gid) };
}

export function ensureServiceAccount(name: string): ServiceAccount {
  let account = lookupAccount(name);
  for (let attempt = 0; !account && attempt < 5; attempt++) {
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      // Another control plane may have created it meanwhile, or holds the lock on /etc/passwd.
      account = lookupAccount(name);
      if (!account && attempt === 4) {
        const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
        throw new PrivilegeError(
          'service account',
          `cannot create the system user ${name} (useradd: ${stderr || String(err)}); create it, or name an existing one with TRE_RUN_AS`,
        );
      }
      if (!account) execFileSync('sleep', ['0.2']);
    }
    account ??= lookupAccount(name);
  }
  if (!account) throw new PrivilegeError('service account', `the system user ${name} does not exist after useradd`);
  if (account.uid === 0 || account.gid === 0) {
    throw new PrivilegeError('service account', `TRE_RUN_AS names ${name}, whose uid or group is root's: name an unprivileged system user`);
  }
  return account;
}
