/** Dialogue with researchers (issue 15 item 6): projects' public summaries and results, and citizens' questions routed through the access administrator. */
export { dialogueRoutes } from './routes.ts';
