import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line of a request carries: its id and, once authenticated, the acting user. */
export interface RequestContext {
  readonly requestId: string;
  userId?: string;
  username?: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequest(): RequestContext | undefined {
  return requestContext.getStore();
}
