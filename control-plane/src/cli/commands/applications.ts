import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Application, CaseAttachment, CaseDetail } from '../../projects/index.ts';
import { CliError, requireOpt, requirePositional, stringOpt, type Command, type CommandArgs, type CommandGroup } from '../command.ts';
import { caseText } from './application-case-text.ts';

type A = Application;
const path = (id: string, tail = '') => `/api/applications/${encodeURIComponent(id)}${tail}`;

/** A step of the case that takes `--text` and answers with the application as it now is. */
function textStep(summary: string, usage: string, tail: string, key: 'text' | 'reason' = 'text', required = true): Command {
  return {
    summary,
    usage,
    options: { [key]: { type: 'string' } },
    async run(ctx, args: CommandArgs) {
      const id = requirePositional(args, 0, 'APPLICATION');
      const value = required ? requireOpt(args, key) : stringOpt(args, key);
      const app = await (await ctx.api()).request<A>('POST', path(id, tail), value === undefined ? {} : { [key]: value });
      return { data: app, text: `${app.id} is ${app.status}, due ${app.dueAt}` };
    },
  };
}

export const commands: CommandGroup = {
  submit: {
    summary: 'Apply for data: a JSON application (new project or amendment)',
    usage: 'tre applications submit --file APPLICATION.json',
    options: { file: { type: 'string' } },
    async run(ctx, args) {
      const file = requireOpt(args, 'file');
      let body: unknown;
      try {
        body = JSON.parse(await readFile(file, 'utf8'));
      } catch (err) {
        throw new CliError(`cannot read ${file} as JSON: ${(err as Error).message}`, 2);
      }
      const app = await (await ctx.api()).request<A>('POST', '/api/applications', body);
      return { data: app, text: `submitted ${app.id} for project ${app.projectId}` };
    },
  },
  list: {
    summary: 'Applications (all for administrators; a lead sees their own)',
    usage: 'tre applications list [--status submitted|in_assessment|awaiting_applicant|approved|rejected|withdrawn] [--project PROJECT]',
    options: { status: { type: 'string' }, project: { type: 'string' } },
    async run(ctx, args) {
      const qs = new URLSearchParams();
      const status = stringOpt(args, 'status');
      const project = stringOpt(args, 'project');
      if (status) qs.set('status', status);
      if (project) qs.set('projectId', project);
      const rows = await (await ctx.api()).request<A[]>('GET', `/api/applications${qs.size ? `?${qs}` : ''}`);
      return {
        data: rows,
        text:
          rows
            .map(
              (a) =>
                `${a.id}  ${a.status.padEnd(18)} ${a.kind.padEnd(9)} ${a.projectId} by ${a.submittedBy}, due ${a.dueAt.slice(0, 10)}${a.overdue ? ' OVERDUE' : ''}`,
            )
            .join('\n') || '(none)',
      };
    },
  },
  decide: {
    summary: 'Approve or reject an application with a reason (access administrator)',
    usage: 'tre applications decide APPLICATION --approve|--reject --reason TEXT [--legal-ref "helseregisterloven § 19 b"]...',
    options: { approve: { type: 'boolean' }, reject: { type: 'boolean' }, reason: { type: 'string' }, 'legal-ref': { type: 'string', multiple: true } },
    async run(ctx, args) {
      const id = requirePositional(args, 0, 'APPLICATION');
      if (Boolean(args.values.approve) === Boolean(args.values.reject)) throw new CliError('give exactly one of --approve and --reject', 2);
      const app = await (await ctx.api()).request<A>('POST', `/api/applications/${encodeURIComponent(id)}/decision`, {
        decision: args.values.approve ? 'approve' : 'reject',
        reason: requireOpt(args, 'reason'),
        legalReferences: ((args.values['legal-ref'] as string[] | undefined) ?? []).filter((r) => r !== ''),
      });
      return { data: app, text: `${app.id} is ${app.status}` };
    },
  },
  show: {
    summary: 'The case: the application, its history in order, attachments, permit and first copy',
    usage: 'tre applications show APPLICATION',
    async run(ctx, args) {
      const detail = await (await ctx.api()).request<CaseDetail>('GET', path(requirePositional(args, 0, 'APPLICATION'), '/case'));
      return { data: detail, text: caseText(detail) };
    },
  },
  message: textStep('Write on the case (the applicant or a case handler)', 'tre applications message APPLICATION --text TEXT', '/messages'),
  'request-info': textStep(
    'Ask the applicant for information; the case waits for the answer (case handler)',
    'tre applications request-info APPLICATION --text TEXT',
    '/info-requests',
  ),
  answer: textStep('Answer the request for information (the applicant)', 'tre applications answer APPLICATION --text TEXT', '/info-answers'),
  withdraw: textStep(
    'Withdraw the application before it is decided (the applicant)',
    'tre applications withdraw APPLICATION [--reason TEXT]',
    '/withdrawal',
    'reason',
    false,
  ),
  prescreen: {
    summary: 'Pre-screening: complete (on to assessment) or incomplete (back to the applicant, saying what is missing)',
    usage: 'tre applications prescreen APPLICATION --complete | --incomplete --text TEXT',
    options: { complete: { type: 'boolean' }, incomplete: { type: 'boolean' }, text: { type: 'string' } },
    async run(ctx, args) {
      const id = requirePositional(args, 0, 'APPLICATION');
      if (Boolean(args.values.complete) === Boolean(args.values.incomplete)) throw new CliError('give exactly one of --complete and --incomplete', 2);
      const text = stringOpt(args, 'text');
      const app = await (await ctx.api()).request<A>('POST', path(id, '/prescreening'), {
        outcome: args.values.complete ? 'complete' : 'incomplete',
        ...(text ? { text } : {}),
      });
      return { data: app, text: `${app.id} is ${app.status}` };
    },
  },
  assign: {
    summary: 'Assign the case to an access administrator independent of it',
    usage: 'tre applications assign APPLICATION --to USER',
    options: { to: { type: 'string' } },
    async run(ctx, args) {
      const app = await (await ctx.api()).request<A>('POST', path(requirePositional(args, 0, 'APPLICATION'), '/assignment'), {
        userId: requireOpt(args, 'to'),
      });
      return { data: app, text: `${app.id} is assigned to ${app.assignedTo}` };
    },
  },
  attach: {
    summary: 'Attach a file to the case (PDF, PNG, JPEG or UTF-8 text, typed by its bytes)',
    usage: 'tre applications attach APPLICATION FILE --type ethics_approval|protocol|dpia|OTHER',
    options: { type: { type: 'string' } },
    async run(ctx, args) {
      const id = requirePositional(args, 0, 'APPLICATION');
      const file = requirePositional(args, 1, 'FILE');
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (err) {
        throw new CliError(`cannot read ${file}: ${(err as Error).message}`, 2);
      }
      const qs = new URLSearchParams({ type: requireOpt(args, 'type'), filename: basename(file) });
      const res = await (await ctx.api()).fetch('POST', path(id, `/attachments?${qs}`), {
        body: new Uint8Array(bytes),
        headers: { 'content-type': 'application/octet-stream' },
      });
      const att = (await res.json()) as CaseAttachment;
      return { data: att, text: `attached ${att.id} (${att.type}, ${att.contentType}, ${att.sizeBytes} bytes, sha256 ${att.sha256})` };
    },
  },
  download: {
    summary: "Download an attachment of the case; its sha256 is checked against the case's record",
    usage: 'tre applications download APPLICATION ATTACHMENT --out FILE',
    options: { out: { type: 'string' } },
    async run(ctx, args) {
      const id = requirePositional(args, 0, 'APPLICATION');
      const att = requirePositional(args, 1, 'ATTACHMENT');
      const out = requireOpt(args, 'out');
      const res = await (await ctx.api()).fetch('GET', path(id, `/attachments/${encodeURIComponent(att)}`));
      const bytes = Buffer.from(await res.arrayBuffer());
      const { createHash } = await import('node:crypto');
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (sha256 !== res.headers.get('x-content-sha256')) throw new CliError(`the download's sha256 ${sha256} is not the one recorded`, 1);
      await writeFile(out, bytes, { flag: 'wx', mode: 0o600 });
      return { data: { attachment: att, file: out, sizeBytes: bytes.length, sha256 }, text: `wrote ${out} (${bytes.length} bytes, sha256 ${sha256})` };
    },
  },
};
