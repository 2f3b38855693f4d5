import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

/** Request bodies larger than this are refused with 413 (API.md). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** The `code` of the error for a body that is not valid JSON. */
export const MALFORMED_JSON = 'MINYI_MALFORMED_JSON';

/** An error the error filter shows as it is: a 4xx status and a message safe for the client. */
function requestError(statusCode: number, message: string, code?: string): Error {
  return Object.assign(new Error(message), { statusCode, ...(code ? { code } : {}) });
}

const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * JSON request bodies: UTF-8 only, at most 1 MB once decoded, optionally gzip-, deflate- or
 * brotli-encoded; an empty body is `{}`. No other body type is parsed: such a request is refused
 * with 415 before any route runs.
 */
export function acceptJsonBodies(fastify: FastifyInstance): void {
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding === 'identity') return done(null, payload);
    const decoder = DECODERS[encoding];
    if (!decoder) return done(requestError(415, `the content encoding "${encoding}" is not supported`), payload);
    const decoded = decoder();
    // A corrupt body is the client's mistake; fastify compares Content-Length with the encoded length read.
    decoded.on('error', (error: Error) => Object.assign(error, { statusCode: 400, message: `the request body could not be read: ${error.message}` }));
    const counted = decoded as unknown as Readable & { receivedEncodedLength: number };
    counted.receivedEncodedLength = 0;
    payload.on('data', (chunk: Buffer) => (counted.receivedEncodedLength += chunk.length));
    done(null, payload.pipe(decoded) as unknown as Readable);
  });

  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES }, (request, body, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";]+)"?/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset && charset !== 'utf-8' && charset !== 'utf8') return done(requestError(415, 'the request body must be UTF-8 JSON'), undefined);
    if ((body as string).trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(requestError(400, 'malformed JSON in the request body', MALFORMED_JSON), undefined);
    }
  });
}
