/** `tre applications show` for people: the case's facts, then its history one step a line. */
import type { CaseDetail, CaseEvent } from '../../projects/index.ts';

function stepText(e: CaseEvent): string {
  const d = e.details as Record<string, unknown>;
  const text = typeof d.text === 'string' ? `: ${d.text}` : '';
  switch (e.kind) {
    case 'assigned':
      return `assigned to ${String(d.to)}`;
    case 'attachment_added':
      return `attached ${String(d.attachment)} (${String(d.type)}, ${String(d.filename)})`;
    case 'decided': {
      const refs = Array.isArray(d.legalReferences) && d.legalReferences.length ? ` [${d.legalReferences.join('; ')}]` : '';
      return `decided: ${String(d.decision)}, ${String(d.reason ?? '')}${refs}`;
    }
    case 'permit_issued':
      return `permit ${String(d.permit)} v${String(d.version)} issued`;
    case 'withdrawn':
      return `withdrawn${typeof d.reason === 'string' ? `: ${d.reason}` : ''}`;
    default:
      return `${e.kind.replace(/_/g, ' ')}${text}`;
  }
}

export function caseText(c: CaseDetail): string {
  const a = c.application;
  const lines = [
    `${a.id}  ${c.projectTitle} (${a.projectId})`,
    `status     ${a.status}${a.overdue ? ' (OVERDUE)' : ''}`,
    `case type  ${a.caseType}, due ${a.dueAt}${a.pausedMs ? `, waited ${Math.round(a.pausedMs / 3_600_000)} h for the applicant` : ''}`,
    `handler    ${a.assignedTo ?? '(unassigned)'}`,
  ];
  if (a.decidedAt)
    lines.push(`decision   ${a.status} by ${a.decidedBy}: ${a.decisionReason ?? ''}`, `legal refs ${a.decisionLegalReferences.join('; ') || '(none)'}`);
  if (c.permit) lines.push(`permit     ${c.permit.id} v${c.permit.version}`);
  if (c.firstCopy) lines.push(`first copy v${c.firstCopy.version} at ${c.firstCopy.createdAt}, ${c.firstCopy.personCount} persons`);
  for (const att of c.attachments) lines.push(`attachment ${att.id} ${att.type} ${att.filename} ${att.contentType} ${att.sizeBytes} B sha256 ${att.sha256}`);
  lines.push('history');
  for (const e of c.history) lines.push(`  ${e.at}  ${e.actor.padEnd(10)} ${stepText(e)}`);
  return lines.join('\n');
}
