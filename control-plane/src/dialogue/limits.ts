/**
 * The dialogue's bounds: untrusted text costs bounded memory, and a plain-language text is short.
 * Plain constants, so the web UI bundles them too and its forms check them before sending.
 */
export const LIMITS = {
  summary: 4000,
  results: 8000,
  link: 500,
  question: 2000,
  answer: 4000,
  reason: 500,
  /** Questions one citizen may submit per day, and may have waiting at once. */
  questionsPerDay: 5,
  questionsOpen: 10,
} as const;
