/**
 * The policy in force for one project's airlock requests: its profile and override, made to
 * satisfy every dataset its permit covers. The whole resolved policy is kept with each request
 * as part of its check record (which rules, from which files).
 */
import { loadPolicySet, resolvePolicy, type Policy, type PolicySet } from '../policies/index.ts';
import type { Permit } from '../projects/index.ts';

export interface PolicySource {
  forProject(projectId: string, permit: Permit): Policy;
  /** The largest single file any profile admits: the upload parser's hard limit. */
  readonly maxFileBytes: number;
}

export async function loadPolicies(dir?: string): Promise<PolicySource> {
  const set: PolicySet = await loadPolicySet(dir);
  const sizes = [...set.profiles.values()].map((p) => p.files.maxFileBytes);
  return {
    forProject: (projectId, permit) => resolvePolicy(set, { project: projectId, datasets: permit.datasets.map((d) => d.dataset) }),
    maxFileBytes: sizes.length ? Math.max(...sizes) : 100 * 1024 * 1024,
  };
}
