import type { FastifyInstance, FastifyReply } from 'fastify';
import { XMLBuilder } from 'fast-xml-parser';
import type { ErrorBody } from '../http/error-filter.js';

/**
 * How Open311 GeoReport v2 answers: JSON, or XML without a namespace whose JSON twin follows the
 * Spark convention (a list is a wrapper element holding one element per item), chosen by the
 * resource's suffix (`services.xml`, `requests/MY-2026-000001.json`).
 */

export const OPEN311_PREFIX = '/open311/v2';
export type Open311Format = 'json' | 'xml';

const CONTENT_TYPE: Record<Open311Format, string> = { json: 'application/json; charset=utf-8', xml: 'text/xml; charset=utf-8' };

/** The element each list's items take in XML, by the list's name. */
const ITEM_NAMES: Readonly<Record<string, string>> = {
  services: 'service',
  service_requests: 'request',
  errors: 'error',
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
};

/** Characters XML 1.0 cannot carry at all, not even escaped. */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

const builder = new XMLBuilder({ format: true, indentBy: '  ', suppressEmptyNode: false });

/** `MY-2026-000001.xml` → `{ name: 'MY-2026-000001', format: 'xml' }`; null without a known suffix. */
export function splitFormat(resource: string): { name: string; format: Open311Format } | null {
  const match = /^(.+)\.(json|xml)$/.exec(resource);
  return match ? { name: match[1]!, format: match[2] as Open311Format } : null;
}

/** The format a URL under /open311 asks for: its last segment's suffix, else JSON. */
export function formatOfUrl(url: string): Open311Format {
  const path = url.split('?', 1)[0]!;
  return path.endsWith('.xml') ? 'xml' : 'json';
}

export function isOpen311Url(url: string): boolean {
  return url === '/open311' || url.startsWith('/open311/') || url.startsWith('/open311?');
}

/** Turns a JSON answer into the XML tree: lists become a wrapper with one element per item, nulls empty elements. */
function xmlTree(name: string, value: unknown): unknown {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) {
    const item = ITEM_NAMES[name] ?? 'item';
    return { [item]: value.map((entry) => xmlTree(item, entry)) };
  }
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, xmlTree(key, child)]));
  return String(value).replace(NOT_XML, '');
}

export function toXml(root: string, value: unknown): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${builder.build({ [root]: xmlTree(root, value) }) as string}`;
}

/** Sends `value` as JSON, or as XML under the element `root`. */
export function sendOpen311(reply: FastifyReply, format: Open311Format, root: string, value: unknown, statusCode = 200): FastifyReply {
  void reply.status(statusCode).header('Content-Type', CONTENT_TYPE[format]);
  return reply.send(format === 'xml' ? toXml(root, value) : JSON.stringify(value));
}

/** The specification's error list for one of our error bodies: one entry per wrong field, else the message. */
export function open311Errors(body: ErrorBody): { code: number; description: string }[] {
  // The shared words speak of JSON bodies only; here a form is the usual body.
  if (body.statusCode === 413) return [{ code: 413, description: `the request body is too large: a form may be at most ${FORM_LIMIT_BYTES / 1024} KB` }];
  if (body.statusCode === 415 && !/encoding|UTF-8/.test(body.message)) {
    return [{ code: 415, description: 'the request body must be a form (application/x-www-form-urlencoded) or JSON' }];
  }
  if (body.details && body.details.length > 0) return body.details.map((detail) => ({ code: body.statusCode, description: `${detail.field}: ${detail.message}` }));
  return [{ code: body.statusCode, description: body.message }];
}

export function sendOpen311Error(reply: FastifyReply, url: string, body: ErrorBody): void {
  void sendOpen311(reply, formatOfUrl(url), 'errors', open311Errors(body), body.statusCode);
}

/** POST requests' form bodies: small, and read only for the Open311 routes. */
export const FORM_LIMIT_BYTES = 64 * 1024;

function requestError(statusCode: number, message: string): Error {
  return Object.assign(new Error(message), { statusCode });
}

/**
 * `application/x-www-form-urlencoded` bodies, as the specification posts them, for the routes
 * under /open311 only: any other route refuses them as it refuses every body that is not JSON.
 * Repeated names become lists, which the route refuses by name.
 */
export function acceptOpen311Forms(fastify: FastifyInstance): void {
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES }, (request, body, done) => {
    if (!isOpen311Url(request.url)) return done(requestError(415, 'the request body must be JSON (Content-Type: application/json)'), undefined);
    const charset = /;\s*charset\s*=\s*"?([^";]+)"?/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset && charset !== 'utf-8' && charset !== 'utf8') return done(requestError(415, 'the form must be UTF-8'), undefined);
    const form: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
    try {
      for (const [name, value] of new URLSearchParams(body as string)) {
        const seen = form[name];
        form[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
      }
    } catch {
      return done(requestError(400, 'the form could not be read'), undefined);
    }
    done(null, { ...form });
  });
}
