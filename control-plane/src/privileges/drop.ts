/**
 * The drop itself: supplementary groups, then group, then user (in that order: once the uid is
 * not 0 the others can no longer be changed). `setuid` as root sets the real, effective and saved
 * uid and clears every capability; glibc applies it to all threads. The result is then checked
 * against what the kernel reports for every thread of this process, and that `setuid(0)` is
 * refused; anything else is a failure and the control plane does not serve.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { PrivilegeError } from './privilege-error.ts';

export interface Credentials {
  uids: number[];
  gids: number[];
  groups: number[];
  capEff: bigint;
  capPrm: bigint;
  capAmb: bigint;
}

/** Real, effective, saved and file-system ids, groups and capability sets from a `status` file. */
export function parseStatus(text: string): Credentials {
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  const nums = (name: string) => field(name).split(/\s+/).filter(Boolean).map(Number);
  const cap = (name: string) => BigInt(`0x${field(name) || '0'}`);
  return { uids: nums('Uid'), gids: nums('Gid'), groups: nums('Groups'), capEff: cap('CapEff'), capPrm: cap('CapPrm'), capAmb: cap('CapAmb') };
}

/** What is still privileged about a process's credentials, or an empty list. */
export function privilegedParts(c: Credentials): string[] {
  const out: string[] = [];
  if (c.uids.length !== 4 || c.uids.includes(0)) out.push(`uids ${c.uids.join(' ')}`);
  if (c.gids.length !== 4 || c.gids.includes(0)) out.push(`gids ${c.gids.join(' ')}`);
  if (c.groups.includes(0)) out.push(`groups ${c.groups.join(' ')}`);
  if (c.capEff !== 0n || c.capPrm !== 0n || c.capAmb !== 0n) out.push('capabilities');
  return out;
}

export function dropTo(account: { name: string; uid: number; gid: number }, extraGroups: readonly number[]): void {
  try {
    process.setgroups!([account.gid, ...extraGroups]);
    process.setgid!(account.gid);
    process.setuid!(account.uid);
  } catch (err) {
    throw new PrivilegeError('switching user', `cannot become ${account.name}: ${(err as Error).message}`);
  }
  verifyDropped(account.name);
}

export function verifyDropped(name: string): void {
  for (const tid of readdirSync('/proc/self/task')) {
    const left = privilegedParts(parseStatus(readFileSync(`/proc/self/task/${tid}/status`, 'utf8')));
    if (left.length) throw new PrivilegeError('verifying the drop', `thread ${tid} still has root's ${left.join(', ')} after becoming ${name}`);
  }
  if (process.getuid!() === 0 || process.geteuid!() === 0 || process.getgid!() === 0 || process.getegid!() === 0) {
    throw new PrivilegeError('verifying the drop', `still root after becoming ${name}`);
  }
  let regained = false;
  try {
    process.setuid!(0);
    regained = true;
  } catch {
    // EPERM: as it must be
  }
  if (regained) throw new PrivilegeError('verifying the drop', `setuid(0) succeeded after becoming ${name}`);
}
