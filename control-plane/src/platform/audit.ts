/**
 * One entry of the audit log: who did what to which object, with what outcome.
 * Entries are appended through `AuditService.record`, which resolves only once the
 * entry is committed; an action whose entry cannot be committed must not happen.
 */
export type AuditOutcome = 'initiated' | 'success' | 'denied' | 'failure';

export interface AuditEntryInput {
  /** User id (or `anonymous`, `system`). */
  actor: string;
  /** The role the actor acted in, e.g. `researcher`, `access_admin`, `system`. */
  role: string;
  /** Dotted verb, e.g. `project.read`, `permit.issue`, `room.session.open`. */
  action: string;
  /** `type:id`, e.g. `project:p-123`; `''` when there is none. */
  object: string;
  projectId: string | null;
  outcome: AuditOutcome;
  /** Why: a denial's reason, a decision's recorded reason, an error's message. */
  reason: string | null;
  requestId: string | null;
  clientAddress: string | null;
  /** Small structured details (never personal data beyond identifiers). */
  details?: Record<string, unknown>;
}

export interface AuditEntry extends AuditEntryInput {
  /** Stored always, `{}` when none were given. */
  details: Record<string, unknown>;
  seq: number;
  time: string;
  prevHash: string;
  hash: string;
}

export interface AuditService {
  record(entry: AuditEntryInput): Promise<{ seq: number; hash: string }>;
}
