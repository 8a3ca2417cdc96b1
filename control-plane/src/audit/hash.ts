import { createHash } from 'node:crypto';
import type { AuditEntry } from '../platform/index.ts';

/** The hash chain's first `prevHash`: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth, so equal values serialise to equal bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/**
 * The bytes an entry's hash commits to: a JSON array in a fixed field order, version first.
 * A fixed order (not sorted keys) keeps hashing fast; `details` alone is canonicalised by key.
 * Changing this format needs a new version tag, never an edit.
 */
export function entryPreimage(e: Omit<AuditEntry, 'hash'>): string {
  return `["ae1",${e.seq},${JSON.stringify(e.time)},${JSON.stringify(e.actor)},${JSON.stringify(e.role)},${JSON.stringify(e.action)},${JSON.stringify(e.object)},${JSON.stringify(e.projectId)},${JSON.stringify(e.outcome)},${JSON.stringify(e.reason)},${JSON.stringify(e.requestId)},${JSON.stringify(e.clientAddress)},${canonicalJson(e.details ?? {})},${JSON.stringify(e.prevHash)}]`;
}

/** SHA-256 (hex) of the entry's preimage; it includes `prevHash`, so each entry commits to the one before. */
export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256').update(entryPreimage(e)).digest('hex');
}

/** Every field of an exported entry, in the order `exportLine` writes them (and the CSV export's columns). */
export const ENTRY_FIELDS = [
  'seq',
  'time',
  'actor',
  'role',
  'action',
  'object',
  'projectId',
  'outcome',
  'reason',
  'requestId',
  'clientAddress',
  'details',
  'prevHash',
  'hash',
] as const satisfies readonly (keyof AuditEntry)[];
