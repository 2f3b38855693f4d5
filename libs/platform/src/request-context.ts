import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line of a request carries: its id and, once authenticated, the acting user. */
export interface RequestContext {
  /** Made by the server for every request; the correlation id of what the request records. */
  readonly requestId: string;
  /** The `X-Request-Id` the client sent, when it is one we keep (`clientRequestId`). */
  readonly clientRequestId?: string;
  userId?: string;
  username?: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequest(): RequestContext | undefined {
  return requestContext.getStore();
}

/** 1-128 printable ASCII characters. */
const CLIENT_REQUEST_ID = /^[\x20-\x7e]{1,128}$/;

/**
 * A client's `X-Request-Id` as logs and event metadata keep it: 1-128 printable ASCII characters
 * (spaces around it dropped). Anything else (too long, control or non-ASCII characters, a repeated
 * header) is ignored: undefined.
 */
export function clientRequestId(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const id = header.trim();
  return CLIENT_REQUEST_ID.test(id) ? id : undefined;
}
