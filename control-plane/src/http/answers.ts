/**
 * Success answers that are not one JSON document: nothing (204), a redirect, a file or a stream.
 * A route declares one as its `response` where a zod schema cannot say what it sends, so the
 * OpenAPI document still names the status and the media types, and the test-time response check
 * (`TRE_CHECK_RESPONSES=1`) still holds the route to the status it declares.
 */
export interface RawAnswer {
  readonly raw: true;
  status: number;
  description: string;
  /** Media type → JSON Schema of the body ({} for bytes); empty for no body. */
  content: Record<string, Record<string, unknown>>;
  headers?: Record<string, { description: string; schema: Record<string, unknown> }>;
}

export function isRawAnswer(v: unknown): v is RawAnswer {
  return typeof v === 'object' && v !== null && (v as { raw?: unknown }).raw === true;
}

/** 204 with no body: the change is done and there is nothing new to show. */
export function noContent(description = 'Done; nothing to answer'): RawAnswer {
  return { raw: true, status: 204, description, content: {} };
}

/** 303 to another page (a browser flow such as an OpenID Connect login). */
export function redirect(description: string): RawAnswer {
  return {
    raw: true,
    status: 303,
    description,
    content: {},
    headers: { Location: { description: 'Where the browser goes next', schema: { type: 'string' } } },
  };
}

/** 200 with a body that is not JSON: a download or a stream in one of `mediaTypes`. */
export function bytes(mediaTypes: readonly string[], description: string): RawAnswer {
  return { raw: true, status: 200, description, content: Object.fromEntries(mediaTypes.map((m) => [m, { type: 'string', format: 'binary' }])) };
}
