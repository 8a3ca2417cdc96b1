/**
 * The effective policy for one check: the project's profile with the
 * project's override on top, then made to satisfy every dataset involved.
 * A table drawing on several datasets must meet each dataset's rules, so the
 * per-dataset results are combined by taking the strictest value of each key.
 */
import { NotFoundError } from '../errors/index.ts';
import type { PolicySet } from './load.ts';
import {
  DEFAULT_HISTOGRAM_RULES,
  DEFAULT_SURVIVAL_RULES,
  type FileRules,
  type HistogramRules,
  type Policy,
  type PolicyPatch,
  type ProfileFile,
  type ReviewRules,
  type SurvivalRules,
  type TableRules,
} from './schema.ts';

export interface PolicyScope {
  project?: string;
  /** Datasets whose data the output draws on. */
  datasets?: string[];
  /** Profile to start from when the project override does not choose one. */
  profile?: string;
}

export function resolvePolicy(set: PolicySet, scope: PolicyScope = {}): Policy {
  const projectOverride = scope.project === undefined ? undefined : set.projectOverrides.get(scope.project);
  const profileName = projectOverride?.profile ?? scope.profile ?? 'default';
  const profile = set.profiles.get(profileName);
  if (!profile) throw new NotFoundError(`unknown policy profile '${profileName}'`, { reason: 'unknown_profile', details: { profile: profileName } });
  let base = profilePolicy(profile, profile.file);
  if (projectOverride) base = applyPatch(base, projectOverride, projectOverride.file);
  const perDataset: Policy[] = [];
  for (const dataset of scope.datasets ?? []) {
    const override = set.datasetOverrides.get(dataset);
    perDataset.push(override ? applyPatch(base, override, override.file) : base);
  }
  return perDataset.length === 0 ? base : perDataset.reduce(strictest);
}

export function profilePolicy(profile: ProfileFile, file: string): Policy {
  return {
    profile: profile.name,
    tables: structuredClone(profile.tables),
    files: { ...profile.files },
    review: { ...profile.review },
    sources: [file],
  };
}

export function applyPatch(policy: Policy, patch: PolicyPatch, source: string): Policy {
  const t = patch.tables ?? {};
  return {
    profile: policy.profile,
    tables: {
      ...policy.tables,
      ...t,
      nk: { ...policy.tables.nk, ...(t.nk ?? {}) },
      survival: { ...(policy.tables.survival ?? DEFAULT_SURVIVAL_RULES), ...(t.survival ?? {}) },
      histograms: { ...(policy.tables.histograms ?? DEFAULT_HISTOGRAM_RULES), ...(t.histograms ?? {}) },
    } as TableRules,
    files: { ...policy.files, ...(patch.files ?? {}) } as FileRules,
    review: { ...policy.review, ...(patch.review ?? {}) } as ReviewRules,
    sources: [...policy.sources, source],
  };
}

const max = (a: number, b: number) => Math.max(a, b);
const min = (a: number, b: number) => Math.min(a, b);
const maxNullable = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/** Key by key, the stricter of two policies. */
export function strictest(a: Policy, b: Policy): Policy {
  const ta = a.tables;
  const tb = b.tables;
  return {
    profile: a.profile,
    tables: {
      threshold: max(ta.threshold, tb.threshold),
      thresholdCountsMissing: ta.thresholdCountsMissing && tb.thresholdCountsMissing,
      zerosDisclosive: ta.zerosDisclosive || tb.zerosDisclosive,
      nk: { n: max(ta.nk.n, tb.nk.n), k: min(ta.nk.k, tb.nk.k), failAtK: ta.nk.failAtK || tb.nk.failAtK },
      pRatio: max(ta.pRatio, tb.pRatio),
      dof: max(ta.dof, tb.dof),
      checkMissing: ta.checkMissing || tb.checkMissing,
      roundingBase: maxNullable(ta.roundingBase, tb.roundingBase),
      suppressAtOrBelow: maxNullable(ta.suppressAtOrBelow, tb.suppressAtOrBelow),
      differencing: ta.differencing || tb.differencing,
      maxCells: min(ta.maxCells, tb.maxCells),
      checkBudgetMs: min(ta.checkBudgetMs, tb.checkBudgetMs),
      maxModelParams: min(ta.maxModelParams, tb.maxModelParams),
      maxModelIterations: min(ta.maxModelIterations, tb.maxModelIterations),
      maxModelCells: min(ta.maxModelCells, tb.maxModelCells),
      modelLevelThreshold: maxNullable(ta.modelLevelThreshold, tb.modelLevelThreshold),
      survival: strictestSurvival(ta.survival ?? DEFAULT_SURVIVAL_RULES, tb.survival ?? DEFAULT_SURVIVAL_RULES),
      histograms: strictestHistograms(ta.histograms ?? DEFAULT_HISTOGRAM_RULES, tb.histograms ?? DEFAULT_HISTOGRAM_RULES),
    },
    files: {
      maxFileBytes: min(a.files.maxFileBytes, b.files.maxFileBytes),
      maxRequestBytes: min(a.files.maxRequestBytes, b.files.maxRequestBytes),
      allowArchives: a.files.allowArchives && b.files.allowArchives,
      maxUnpackedBytes: min(a.files.maxUnpackedBytes, b.files.maxUnpackedBytes),
      scanNationalIds: a.files.scanNationalIds || b.files.scanNationalIds,
      scanPseudonyms: a.files.scanPseudonyms || b.files.scanPseudonyms,
      scanSmallCounts: a.files.scanSmallCounts || b.files.scanSmallCounts,
      scanBudgetMs: min(a.files.scanBudgetMs, b.files.scanBudgetMs),
    },
    review: {
      exportApprovals: max(a.review.exportApprovals, b.review.exportApprovals),
      importApprovals: max(a.review.importApprovals, b.review.importApprovals),
    },
    sources: [...new Set([...a.sources, ...b.sources])],
  };
}

/** ACRO 1.0's rule fails every survival table (see `survival-rules.ts`): of two rules, it is the stricter. */
function strictestSurvival(a: SurvivalRules, b: SurvivalRules): SurvivalRules {
  return {
    rule: a.rule === 'acro-1.0' || b.rule === 'acro-1.0' ? 'acro-1.0' : 'pool',
    threshold: max(a.threshold, b.threshold),
    maxGroups: min(a.maxGroups, b.maxGroups),
    maxSteps: min(a.maxSteps, b.maxSteps),
  };
}

function strictestHistograms(a: HistogramRules, b: HistogramRules): HistogramRules {
  return {
    maxBins: min(a.maxBins, b.maxBins),
    maxGroups: min(a.maxGroups, b.maxGroups),
    maxSlices: min(a.maxSlices, b.maxSlices),
    dataEdges: a.dataEdges === 'review' || b.dataEdges === 'review' ? 'review' : 'note',
  };
}
