import '@fastify/multipart';
import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import { FILE_FIELD, MAX_ATTACHMENT_BYTES, PayloadTooLargeError, UnsupportedMediaTypeError, UploadAbortedError, type AttachmentIntake, type ReceivedFile } from '#attachments';

/** The most files one request may carry (the public filing's `files`). */
export const MAX_FILES_PER_REQUEST = 5;
/** The most bytes of one text part: a case's JSON fits many times over. */
export const MAX_FIELD_BYTES = 64 * 1024;
/** Room for the text parts (at most 10 of MAX_FIELD_BYTES) and every part's headers. */
const MAX_REQUEST_OVERHEAD_BYTES = 1024 * 1024;

/**
 * Multipart bodies for the upload routes, beside the JSON parser (register after
 * acceptJsonBodies, which removes every other parser). Files stream: nothing is buffered or
 * written by the plugin itself. Its file limit is one byte over ours, so that the intake, which
 * counts the bytes, is the one to refuse a file too large, naming the field.
 */
export async function acceptMultipartBodies(fastify: FastifyInstance): Promise<void> {
  await fastify.register(fastifyMultipart, {
    limits: { fileSize: MAX_ATTACHMENT_BYTES + 1, files: MAX_FILES_PER_REQUEST, fields: 10, fieldSize: MAX_FIELD_BYTES, parts: 16, headerPairs: 100 },
  });
}

export interface MultipartOptions {
  /** The name of the file parts (`file` for a staff upload, `files` for a public filing). */
  readonly fileField: string;
  /** How many file parts the request may carry (at least one is required). */
  readonly maxFiles: number;
  /** A text part holding JSON (the public filing's `case`): returned as text, not parsed. */
  readonly jsonField?: string;
  /**
   * Checks the JSON part's text as soon as it arrives, and requires it before any file: a request
   * whose JSON is refused is refused before a byte of its files is read or stored.
   */
  readonly checkJsonFirst?: (text: string) => Promise<void>;
  /** Other text parts the request may carry, at most once each. */
  readonly fields?: readonly string[];
  /** Whether a request without any file part is refused (default true). */
  readonly requireFile?: boolean;
}

export interface MultipartUpload {
  /** Each file part, in the order sent, already stored (with its cleaned name). */
  readonly files: readonly ReceivedFile[];
  /** The text of the `jsonField` part, when sent. */
  readonly json: string | undefined;
  /** The other text parts sent, by name. */
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * readMultipart(request, intake, { fileField, maxFiles, jsonField?, fields?, requireFile? }) →
 * { files, json, fields }.
 *
 * Reads a multipart/form-data request part by part, streaming each `fileField` part through
 * `intake.receive` (sniff → strip → hash → store) in the order sent, and keeping the text parts.
 * Any other part, a part sent twice, a text part where a file belongs (or the reverse), too many
 * files, a file too large (413), a type refused (415), or a request cut off: it throws an error
 * naming the field, after removing every blob this request created. Once it returns, a caller
 * whose own step then fails (validation of the JSON, the event append) must call
 * `discardCreated(intake, upload.files)`, so that nothing of the request is left.
 */
export async function readMultipart(request: FastifyRequest, intake: AttachmentIntake, options: MultipartOptions): Promise<MultipartUpload> {
  const { fileField, maxFiles, jsonField } = options;
  if (!request.isMultipart()) throw fieldError(fileField, `send multipart/form-data with the file in a part named "${fileField}"`);
  // A body declared larger than every file and text part together cannot be taken: refused unread.
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxFiles * MAX_ATTACHMENT_BYTES + MAX_REQUEST_OVERHEAD_BYTES) {
    throw new PayloadTooLargeError(`the request is larger than ${maxFiles} ${maxFiles === 1 ? 'file' : 'files'} of ${MAX_ATTACHMENT_BYTES / (1024 * 1024)} MB can be`, fileField);
  }
  const textFields = new Set([...(options.fields ?? []), ...(jsonField ? [jsonField] : [])]);
  const files: ReceivedFile[] = [];
  const fields: Record<string, string> = {};
  try {
    for await (const part of request.parts()) {
      const name = part.fieldname;
      if (part.type === 'file') {
        if (options.checkJsonFirst && jsonField && !Object.hasOwn(fields, jsonField)) {
          part.file.resume();
          throw fieldError(jsonField, `send the "${jsonField}" part before the files`);
        }
        if (name !== fileField) {
          part.file.resume();
          throw fieldError(name, textFields.has(name) ? `"${name}" must be a text part, not a file` : `unknown part "${name}" (expected ${[fileField, ...textFields].join(', ')})`);
        }
        if (files.length >= maxFiles) throw fieldError(fileField, `at most ${maxFiles} ${maxFiles === 1 ? 'file' : 'files'} in one request`);
        files.push(await receivedAs(fileField, () => intake.receive(part.file, { name: part.filename })));
        continue;
      }
      if (name === fileField) throw fieldError(name, `"${name}" must be a file part`);
      if (!textFields.has(name)) throw fieldError(name, `unknown part "${name}" (expected ${[fileField, ...textFields].join(', ')})`);
      if (Object.hasOwn(fields, name)) throw fieldError(name, `"${name}" was sent twice`);
      if (part.valueTruncated) throw fieldError(name, `"${name}" is longer than ${MAX_FIELD_BYTES / 1024} KB`);
      // A part typed application/json (as generated clients send a JSON part) arrives parsed: keep its text.
      fields[name] = part.mimetype === 'application/json' ? JSON.stringify(part.value) : String(part.value);
      if (name === jsonField && options.checkJsonFirst) await options.checkJsonFirst(fields[name]);
    }
    if (files.length === 0 && options.requireFile !== false) throw fieldError(fileField, `no file: send it in a part named "${fileField}"`);
  } catch (error) {
    await discardCreated(intake, files);
    throw pluginError(error, fileField, maxFiles, jsonField);
  }
  const json = jsonField === undefined ? undefined : fields[jsonField];
  if (jsonField !== undefined) delete fields[jsonField];
  return { files, json, fields };
}

/** The intake's refusals name its own field (`file`); here they name the request's file part. */
async function receivedAs(fileField: string, receive: () => Promise<ReceivedFile>): Promise<ReceivedFile> {
  try {
    return await receive();
  } catch (error) {
    if (fileField === FILE_FIELD) throw error;
    if (error instanceof UnsupportedMediaTypeError) throw new UnsupportedMediaTypeError(error.message, fileField);
    if (error instanceof PayloadTooLargeError) throw new PayloadTooLargeError(error.message, fileField);
    throw error;
  }
}

/** Removes the blobs that these uploads created (not those that were stored already, which a case may hold). */
export async function discardCreated(intake: AttachmentIntake, files: readonly ReceivedFile[]): Promise<void> {
  for (const file of files) if (file.created) await intake.discard(file.sha256);
}

function fieldError(field: string, message: string): BadRequestException {
  return new BadRequestException({ message, details: [{ field, message }] });
}

/** The multipart plugin's own refusals, in our words with the field named. */
function pluginError(error: unknown, fileField: string, maxFiles: number, jsonField: string | undefined): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new PayloadTooLargeError(`the file is larger than ${MAX_ATTACHMENT_BYTES / (1024 * 1024)} MB`, fileField);
    case 'FST_FILES_LIMIT':
      return fieldError(fileField, `at most ${maxFiles} ${maxFiles === 1 ? 'file' : 'files'} in one request`);
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return fieldError('body', 'too many parts in the request');
    case 'FST_INVALID_JSON_FIELD_ERROR':
      // The plugin does not say which part: the only one that should hold JSON, when there is one.
      return fieldError(jsonField ?? 'body', `${jsonField ? `the "${jsonField}" part` : 'a part sent as application/json'} is not valid JSON`);
    case 'FST_MP_PREMATURE_CLOSE':
      return new UploadAbortedError();
    case 'FST_PROTO_VIOLATION':
      return fieldError('body', 'a part name is not allowed');
    default:
      if (error instanceof Error && /premature close|terminated early|unexpected end/i.test(error.message)) return new UploadAbortedError();
      return error;
  }
}
