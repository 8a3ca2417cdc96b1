/**
 * Output-control policies: profiles and per-project / per-dataset overrides
 * loaded from `policies/*.yaml`, validated at load, resolved into the
 * effective `Policy` for one check.
 */
export {
  DEFAULT_CHECK_BUDGET_MS,
  DEFAULT_HISTOGRAM_RULES,
  DEFAULT_MAX_CELLS,
  DEFAULT_MAX_MODEL_CELLS,
  DEFAULT_MAX_MODEL_ITERATIONS,
  DEFAULT_MAX_MODEL_PARAMS,
  DEFAULT_SCAN_BUDGET_MS,
  DEFAULT_SURVIVAL_RULES,
  TableRulesSchema,
  type FileRules,
  type HistogramRules,
  type OverrideFile,
  type Policy,
  type PolicyPatch,
  type ProfileFile,
  type ReviewRules,
  type SurvivalRules,
  type TableRules,
} from './schema.ts';
export {
  defaultPolicyDir,
  loadPolicySet,
  loadProfileFile,
  parsePolicyText,
  type LoadedOverride,
  type LoadedProfile,
  type PolicySet,
} from './load.ts';
export { profilePolicy, resolvePolicy, type PolicyScope } from './resolve.ts';
export type { PolicyIssue } from './yaml-source.ts';
