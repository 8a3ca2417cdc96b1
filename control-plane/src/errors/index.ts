/**
 * Domain errors. Domain code throws these; exactly one HTTP middleware
 * (`http/problem.ts`) maps them to status codes and `application/problem+json`.
 * A policy refusal carries a machine-readable `reason`.
 */
import type { Reason } from './reasons.ts';

export * from './reasons.ts';

export type ErrorDetails = Record<string, unknown>;

export class DomainError extends Error {
  /** One of the platform's reasons (`reasons.ts`): a misspelt one does not type-check. */
  readonly reason: Reason | undefined;
  readonly details: ErrorDetails | undefined;
  constructor(message: string, opts: { reason?: Reason; details?: ErrorDetails; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.reason = opts.reason;
    this.details = opts.details;
  }
}

/** Malformed or invalid input (400). `details.field` names the offending field where known. */
export class InputError extends DomainError {}
/** No valid identity (401). */
export class AuthenticationError extends DomainError {}
/** Identity known, action not allowed (403). */
export class NotAllowedError extends DomainError {}
/** The object does not exist or is not visible to the caller (404). */
export class NotFoundError extends DomainError {}
/** The object's state forbids the change (409). */
export class ConflictError extends DomainError {}
/** A request body over its limit (413); the message names the limit. */
export class TooLargeError extends DomainError {}
/** The request did not arrive whole in time (408). */
export class RequestTimeoutError extends DomainError {}
/** A request body must declare its length (411): a limit cannot hold on a chunked body. */
export class LengthRequiredError extends DomainError {}
/** Too many attempts (429). */
export class RateLimitedError extends DomainError {}
/** What the platform forwards to (a room's server) did not answer, or not usably (502). */
export class UpstreamError extends DomainError {}
/** A dependency the action needs is not available, e.g. the audit log (503). */
export class UnavailableError extends DomainError {}
