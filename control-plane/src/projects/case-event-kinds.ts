/**
 * The steps of a case, as plain constants: no imports, so the UI's type check reads them through
 * `schemas.ts`. Paused time runs from each `info_requested` to the `info_provided` that answers it.
 */
export const CASE_EVENT_KINDS = [
  'submitted',
  'prescreen_passed',
  'prescreen_returned',
  'assigned',
  'message',
  'info_requested',
  'info_provided',
  'attachment_added',
  'decided',
  'permit_issued',
  'withdrawn',
] as const;
