/**
 * The server's web concerns: the Express app and its one audit path (`app.ts`), route
 * definitions (`route.ts`), the one mapping of domain errors to problem responses (`problem.ts`),
 * request bodies and deadlines, the OpenAPI document and the built UI's folder.
 */
