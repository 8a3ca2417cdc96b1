/**
 * The server's web concerns: the Express app and its one audit path (`app.ts`), route
 * definitions (`route.ts`), the one mapping of domain errors to problem responses (`problem.ts`),
 * request bodies and deadlines, the OpenAPI document and the built UI's folder.
 */

export { createApp, SECURITY_HEADERS } from './app.ts';
export { sendArrow, wantsArrow } from './arrow.ts';
export { armRequestDeadline, extendForLongBody, streamBodyToFile } from './body.ts';
export { type AuditScope, defineRoute, type RouteContext, type RouteDef, setChannelAddress } from './route.ts';
export { webDir } from './web-dir.ts';
export { bytes, noContent, redirect } from './answers.ts';
export { ARROW_STREAM } from './arrow.ts';
export { problemOf, refuseUpgrade, statusOf, writeProblem } from './problem.ts';
export { assertResponse, checkResponses } from './response-check.ts';
