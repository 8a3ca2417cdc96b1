import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { namedUsers } from './independence.ts';

const userId = fc.stringMatching(/^[a-z][a-z0-9._-]{1,20}$/);
const member = (id: fc.Arbitrary<string>) => fc.record({ userId: id, role: fc.constantFrom('lead', 'researcher') });

describe('who an application names', () => {
  it('finds a user wherever the application names them as a member or an authorised person, in any position', () => {
    fc.assert(
      fc.property(userId, fc.array(member(userId)), fc.array(userId), fc.nat(), fc.boolean(), (me, members, authorised, at, asMember) => {
        const body = asMember
          ? {
              kind: 'new',
              members: [...members.slice(0, at % (members.length + 1)), { userId: me, role: 'researcher' }, ...members.slice(at % (members.length + 1))],
            }
          : { caseType: 'project_change', reason: 'x', authorisedPersons: [...authorised, me] };
        expect(namedUsers(body).has(me)).toBe(true);
      }),
    );
  });

  it('does not count a user id that only appears in free text or as a dataset name', () => {
    fc.assert(
      fc.property(userId, fc.array(member(userId)), (me, members) => {
        fc.pre(!members.some((m) => m.userId === me));
        const body = { purpose: `a study by ${me}`, justification: me, datasets: [{ dataset: me, variables: [me] }], members };
        expect(namedUsers(body).has(me)).toBe(false);
      }),
    );
  });
});
