/**
 * A citizen's question to a project, routed through the access administrator, as Findata's
 * Kapseli routes questions via the permit authority: the citizen asks; an access administrator
 * who is not and never was a member of the project screens it (forwards it, or rejects it with a
 * reason, e.g. it names a person); the project's lead reads only the text and the question's id
 * and answers; an administrator screens the answer too (delivers it, or returns it to the lead
 * with a reason) before the citizen sees it.
 *
 * Which projects: any project in the public register (ever granted a permit), not only those
 * that used the asker's data: the register is where citizens learn of projects, and a question
 * limited to "projects with my data" would itself tell the lead the asker is in the cohort.
 *
 * Who asked lives only in `citizen_question_askers`, read here by the citizen's own views, the
 * rate limit, the duty check and the answer's notification: nothing returned to the project
 * side, and no notification to it, carries it. The route's audit entry names the citizen (an
 * auditor may see who asked; leads cannot read the log).
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError, RateLimitedError } from '../errors/index.ts';
import { notify } from '../notifications/index.ts';
import type { Principal } from '../platform/index.ts';
import { requireIndependent } from '../projects/index.ts';
import type { Queryable } from '../store/index.ts';
import { LIMITS, type LeadQuestion, type MyQuestion, type ScreeningItem } from './schemas.ts';

const DAY_MS = 24 * 3600 * 1000;
/** How many questions a list shows at most (the most recent): the citizen's, the lead's, the queue's handled ones. */
const SHOWN = 200;

interface QuestionRow {
  id: string;
  projectId: string;
  status: MyQuestion['status'];
}

/** Enabled access administrators who are not and never were members of the project: who may screen its questions. */
async function screeners(q: Queryable, projectId: string): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'access_admin'
      WHERE NOT u.disabled
        AND NOT EXISTS (SELECT 1 FROM project_member_events e WHERE e.project_id = $1 AND e.user_id = u.id)
        AND NOT EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = $1 AND m.user_id = u.id)
      ORDER BY u.id`,
    [projectId],
  );
  return rows.map((r) => r.id);
}

async function leads(q: Queryable, projectId: string): Promise<string[]> {
  const rows = await q.query<{ user_id: string }>(`SELECT user_id FROM project_members WHERE project_id = $1 AND role = 'lead' ORDER BY user_id`, [projectId]);
  return rows.map((r) => r.user_id);
}

async function askerOf(q: Queryable, questionId: string): Promise<string> {
  const [row] = await q.query<{ user_id: string }>('SELECT user_id FROM citizen_question_askers WHERE question_id = $1', [questionId]);
  return row!.user_id;
}

/** Locks the question for a change; it must be in `status` (and of `projectId`, when given). */
async function lockQuestion(q: Queryable, questionId: string, status: MyQuestion['status'], projectId?: string): Promise<QuestionRow> {
  const [row] = await q.query<QuestionRow>(`SELECT id, project_id AS "projectId", status FROM citizen_questions WHERE id = $1 FOR UPDATE`, [questionId]);
  if (!row || (projectId && row.projectId !== projectId)) throw new NotFoundError(`no question '${questionId}'`, { reason: 'no_such_question' });
  if (row.status !== status) throw new ConflictError(`the question is ${row.status}, not ${status}`, { reason: 'question_not_waiting' });
  return row;
}

export async function askQuestion(q: Queryable, userId: string, input: { projectId: string; text: string }, now: Date): Promise<MyQuestion> {
  const [project] = await q.query<{ id: string }>('SELECT p.id FROM projects p WHERE p.id = $1 AND EXISTS (SELECT 1 FROM permits WHERE project_id = p.id)', [
    input.projectId,
  ]);
  if (!project)
    throw new NotFoundError(`no project '${input.projectId}' in the public register`, { reason: 'not_in_register', details: { field: 'projectId' } });
  // One citizen's questions are counted under a lock on their account row, so two at once cannot both pass.
  await q.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
  const [counts] = await q.query<{ today: number; open: number }>(
    `SELECT count(*) FILTER (WHERE cq.submitted_at > $2)::int AS today,
            count(*) FILTER (WHERE cq.status IN ('screening', 'forwarded', 'answered'))::int AS open
       FROM citizen_question_askers a JOIN citizen_questions cq ON cq.id = a.question_id WHERE a.user_id = $1`,
    [userId, new Date(now.getTime() - DAY_MS)],
  );
  if ((counts?.today ?? 0) >= LIMITS.questionsPerDay)
    throw new RateLimitedError(`at most ${LIMITS.questionsPerDay} questions a day; try again tomorrow`, { reason: 'questions_per_day' });
  if ((counts?.open ?? 0) >= LIMITS.questionsOpen)
    throw new RateLimitedError(`at most ${LIMITS.questionsOpen} questions waiting at once; wait for an answer first`, { reason: 'questions_open' });
  const id = `q_${randomBytes(6).toString('hex')}`;
  await q.query(`INSERT INTO citizen_questions (id, project_id, body, status, submitted_at) VALUES ($1, $2, $3, 'screening', $4)`, [
    id,
    input.projectId,
    input.text,
    now,
  ]);
  await q.query('INSERT INTO citizen_question_askers (question_id, user_id) VALUES ($1, $2)', [id, userId]);
  await notify(q, await screeners(q, input.projectId), { kind: 'citizen.question', params: { question: id }, link: '/admin/questions' }, now);
  return (await myQuestions(q, userId, id))[0]!;
}

/** The citizen's own questions (or one of them), newest first, with the answer once delivered. */
export async function myQuestions(q: Queryable, userId: string, only?: string): Promise<MyQuestion[]> {
  return q.query<MyQuestion>(
    `SELECT cq.id, cq.project_id AS "projectId", p.title AS "projectTitle", cq.body AS text, cq.status, cq.submitted_at AS "submittedAt",
            cq.reject_reason AS "rejectReason",
            CASE WHEN cq.status = 'delivered' THEN ans.body END AS answer,
            CASE WHEN cq.status = 'delivered' THEN ans.answered_at END AS "answeredAt"
       FROM citizen_question_askers a
       JOIN citizen_questions cq ON cq.id = a.question_id
       JOIN projects p ON p.id = cq.project_id
       LEFT JOIN LATERAL (SELECT body, answered_at FROM citizen_question_answers WHERE question_id = cq.id ORDER BY version DESC LIMIT 1) ans ON true
      WHERE a.user_id = $1 AND ($2::text IS NULL OR cq.id = $2)
      ORDER BY cq.submitted_at DESC, cq.id LIMIT ${SHOWN}`,
    [userId, only ?? null],
  );
}

/**
 * The access administrators' queue: every question waiting for screening (oldest first), then
 * the latest handled ones; `canScreen` says whether this administrator may act on each.
 */
export async function screeningQueue(q: Queryable, p: Principal, only?: string): Promise<ScreeningItem[]> {
  const select = `SELECT cq.id, cq.project_id AS "projectId", pr.title AS "projectTitle", cq.body AS text, cq.status, cq.submitted_at AS "submittedAt",
            cq.reject_reason AS "rejectReason", ans.body AS answer,
            NOT EXISTS (SELECT 1 FROM project_member_events e WHERE e.project_id = cq.project_id AND e.user_id = $1)
              AND NOT EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = cq.project_id AND m.user_id = $1)
              AND NOT EXISTS (SELECT 1 FROM citizen_question_askers a WHERE a.question_id = cq.id AND a.user_id = $1) AS "canScreen"
       FROM citizen_questions cq
       JOIN projects pr ON pr.id = cq.project_id
       LEFT JOIN LATERAL (SELECT body FROM citizen_question_answers WHERE question_id = cq.id ORDER BY version DESC LIMIT 1) ans ON true`;
  if (only) return q.query<ScreeningItem>(`${select} WHERE cq.id = $2`, [p.userId, only]);
  const waiting = await q.query<ScreeningItem>(`${select} WHERE cq.status IN ('screening', 'answered') ORDER BY cq.submitted_at, cq.id`, [p.userId]);
  const handled = await q.query<ScreeningItem>(
    `${select} WHERE cq.status NOT IN ('screening', 'answered') ORDER BY cq.submitted_at DESC, cq.id LIMIT ${SHOWN}`,
    [p.userId],
  );
  return [...waiting, ...handled];
}

/** An administrator forwards a question to the project's lead, or rejects it with a reason the citizen sees. */
export async function screenQuestion(
  q: Queryable,
  p: Principal,
  questionId: string,
  d: { decision: 'forward' | 'reject'; reason?: string | undefined },
  now: Date,
): Promise<ScreeningItem> {
  const row = await lockQuestion(q, questionId, 'screening');
  await requireIndependent(q, p, { projectId: row.projectId, what: 'citizen question', submittedBy: await askerOf(q, questionId) });
  if (d.decision === 'forward') {
    await q.query(`UPDATE citizen_questions SET status = 'forwarded', screened_by = $2, screened_at = $3, forwarded_at = $3 WHERE id = $1`, [
      questionId,
      p.userId,
      now,
    ]);
    const link = `/projects/${row.projectId}#h-dialogue`;
    await notify(q, await leads(q, row.projectId), { kind: 'citizen.question', params: { question: questionId }, link, projectId: row.projectId }, now);
  } else {
    await q.query(`UPDATE citizen_questions SET status = 'rejected', screened_by = $2, screened_at = $3, reject_reason = $4 WHERE id = $1`, [
      questionId,
      p.userId,
      now,
      d.reason,
    ]);
    await notify(
      q,
      [await askerOf(q, questionId)],
      { kind: 'citizen.answer', params: { question: questionId, outcome: 'rejected' }, link: '/citizen#h-dialogue' },
      now,
    );
  }
  return (await screeningQueue(q, p, questionId))[0]!;
}

/** The project's forwarded questions, as its lead sees them: id, text, answer; nothing of the asker. */
export async function leadQuestions(q: Queryable, projectId: string, only?: string): Promise<LeadQuestion[]> {
  return q.query<LeadQuestion>(
    `SELECT cq.id, cq.body AS text, cq.status, cq.forwarded_at AS "forwardedAt", ans.body AS answer,
            CASE WHEN s.outcome = 'returned' THEN s.reason END AS "returnReason"
       FROM citizen_questions cq
       LEFT JOIN LATERAL (SELECT version, body FROM citizen_question_answers WHERE question_id = cq.id ORDER BY version DESC LIMIT 1) ans ON true
       LEFT JOIN citizen_answer_screenings s ON s.question_id = cq.id AND s.version = ans.version
      WHERE cq.project_id = $1 AND cq.status IN ('forwarded', 'answered', 'delivered') AND ($2::text IS NULL OR cq.id = $2)
      ORDER BY cq.forwarded_at DESC, cq.id LIMIT ${SHOWN}`,
    [projectId, only ?? null],
  );
}

/** The lead answers a forwarded question; the answer waits for an administrator to deliver it. */
export async function answerQuestion(q: Queryable, projectId: string, questionId: string, text: string, by: string, now: Date): Promise<LeadQuestion> {
  await lockQuestion(q, questionId, 'forwarded', projectId);
  await q.query(
    `INSERT INTO citizen_question_answers (question_id, version, body, answered_by, answered_at)
     SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4 FROM citizen_question_answers WHERE question_id = $1`,
    [questionId, text, by, now],
  );
  await q.query(`UPDATE citizen_questions SET status = 'answered' WHERE id = $1`, [questionId]);
  await notify(q, await screeners(q, projectId), { kind: 'citizen.answer', params: { question: questionId }, link: '/admin/questions' }, now);
  return (await leadQuestions(q, projectId, questionId))[0]!;
}

/** An administrator delivers the lead's answer to the citizen, or returns it to the lead with a reason. */
export async function screenAnswer(
  q: Queryable,
  p: Principal,
  questionId: string,
  d: { decision: 'deliver' | 'return'; reason?: string | undefined },
  now: Date,
): Promise<ScreeningItem> {
  const row = await lockQuestion(q, questionId, 'answered');
  const asker = await askerOf(q, questionId);
  await requireIndependent(q, p, { projectId: row.projectId, what: 'answer to a citizen', submittedBy: asker });
  const delivered = d.decision === 'deliver';
  await q.query(
    `INSERT INTO citizen_answer_screenings (question_id, version, outcome, reason, screened_by, screened_at)
     SELECT $1, max(version), $2, $3, $4, $5 FROM citizen_question_answers WHERE question_id = $1`,
    [questionId, delivered ? 'delivered' : 'returned', delivered ? null : d.reason, p.userId, now],
  );
  await q.query(`UPDATE citizen_questions SET status = $2 WHERE id = $1`, [questionId, delivered ? 'delivered' : 'forwarded']);
  if (delivered) await notify(q, [asker], { kind: 'citizen.answer', params: { question: questionId }, link: '/citizen#h-dialogue' }, now);
  else {
    const link = `/projects/${row.projectId}#h-dialogue`;
    await notify(
      q,
      await leads(q, row.projectId),
      { kind: 'citizen.question', params: { question: questionId, returned: 'true' }, link, projectId: row.projectId },
      now,
    );
  }
  return (await screeningQueue(q, p, questionId))[0]!;
}
