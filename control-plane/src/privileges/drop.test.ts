import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStatus, privilegedParts } from './drop.ts';

const status = (uid: string, gid: string, groups: string, cap: string) =>
  `Name:\tnode\nUid:\t${uid}\nGid:\t${gid}\nFDSize:\t64\nGroups:\t${groups}\nCapInh:\t0000000000000000\nCapPrm:\t${cap}\nCapEff:\t${cap}\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n`;

describe('the check of a dropped process', () => {
  it("finds nothing privileged in a service account's credentials", () => {
    const c = parseStatus(status('999\t999\t999\t999', '995\t995\t995\t995', '995 ', '0000000000000000'));
    expect(c).toEqual({ uids: [999, 999, 999, 999], gids: [995, 995, 995, 995], groups: [995], capEff: 0n, capPrm: 0n, capAmb: 0n });
    expect(privilegedParts(c)).toEqual([]);
  });

  it('names a saved root uid, a root group kept as supplementary group, and capabilities left', () => {
    const c = parseStatus(status('999\t999\t0\t999', '995\t995\t995\t995', '0 995', '0000000000000400'));
    expect(privilegedParts(c)).toEqual(['uids 999 999 0 999', 'groups 0 995', 'capabilities']);
  });

  it('reads this very process from the kernel', () => {
    const c = parseStatus(readFileSync('/proc/self/status', 'utf8'));
    expect(c.uids).toHaveLength(4);
    expect(c.uids[0]).toBe(process.getuid!());
    expect(privilegedParts(c).length === 0).toBe(process.getuid!() !== 0);
  });
});
