/**
 * Loading policy files. Everything is validated at load: a malformed file
 * stops the load with an `InputError` naming file, line and key, rather than
 * being skipped (a skipped override would silently weaken a project's rules).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PolicyFileSchema, type OverrideFile, type ProfileFile } from './schema.ts';
import { parseYamlWithPositions, policyError, zodIssuesToPolicyIssues, type PolicyIssue } from './yaml-source.ts';

/** The repository's `policies/` directory. */
export const defaultPolicyDir = fileURLToPath(new URL('../../../policies/', import.meta.url));

export type LoadedProfile = ProfileFile & { file: string };
export type LoadedOverride = OverrideFile & { file: string };

export interface PolicySet {
  profiles: Map<string, LoadedProfile>;
  projectOverrides: Map<string, LoadedOverride>;
  datasetOverrides: Map<string, LoadedOverride>;
}

/** Parses and validates one policy document; `file` is the name used in errors. */
export function parsePolicyText(file: string, text: string): LoadedProfile | LoadedOverride {
  const parsed = parseYamlWithPositions(file, text);
  const result = PolicyFileSchema.safeParse(parsed.value);
  if (!result.success) throw policyError(zodIssuesToPolicyIssues(file, parsed, result.error.issues));
  const doc = result.data;
  if (doc.kind === 'override' && 'dataset' in doc.scope && doc.profile !== undefined) {
    throw policyError([{ file, ...parsed.locate(['profile']), key: 'profile', message: 'only a project override may choose a profile' }]);
  }
  return { ...doc, file };
}

/** Loads one profile file, e.g. for `tre outputs check-table --policy FILE`. */
export async function loadProfileFile(path: string, displayName = path): Promise<LoadedProfile> {
  const text = await readFile(path, 'utf8');
  const doc = parsePolicyText(displayName, text);
  if (doc.kind !== 'profile') {
    const parsed = parseYamlWithPositions(displayName, text);
    throw policyError([{ file: displayName, ...parsed.locate(['kind']), key: 'kind', message: 'expected a profile' }]);
  }
  return doc;
}

/**
 * Loads `DIR/*.yaml` (profiles and overrides) and `DIR/overrides/*.yaml`.
 * File names in errors are relative to DIR's parent, e.g. `policies/default.yaml`.
 */
export async function loadPolicySet(dir: string = defaultPolicyDir): Promise<PolicySet> {
  const files = [...(await yamlFiles(dir)), ...(await yamlFiles(join(dir, 'overrides')))];
  const set: PolicySet = { profiles: new Map(), projectOverrides: new Map(), datasetOverrides: new Map() };
  const issues: PolicyIssue[] = [];
  const docs: Array<{ doc: LoadedProfile | LoadedOverride; text: string }> = [];
  for (const path of files) {
    const text = await readFile(path, 'utf8');
    const file = relative(join(dir, '..'), path);
    const doc = parsePolicyText(file, text);
    docs.push({ doc, text });
    if (doc.kind === 'profile') {
      if (set.profiles.has(doc.name)) issues.push(at(doc.file, text, ['name'], `profile '${doc.name}' is also defined in ${set.profiles.get(doc.name)?.file}`));
      set.profiles.set(doc.name, doc);
    } else {
      const [map, id] = 'project' in doc.scope ? [set.projectOverrides, doc.scope.project] : [set.datasetOverrides, doc.scope.dataset];
      if (map.has(id)) issues.push(at(doc.file, text, ['scope'], `'${id}' is also overridden in ${map.get(id)?.file}`));
      map.set(id, doc);
    }
  }
  for (const { doc, text } of docs) {
    if (doc.kind === 'override' && doc.profile !== undefined && !set.profiles.has(doc.profile)) {
      issues.push(at(doc.file, text, ['profile'], `unknown profile '${doc.profile}'`));
    }
  }
  if (issues.length > 0) throw policyError(issues);
  return set;
}

function at(file: string, text: string, path: string[], message: string): PolicyIssue {
  return { file, ...parseYamlWithPositions(file, text).locate(path), key: path.join('.'), message };
}

async function yamlFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
    .sort()
    .map((n) => join(dir, n));
}
