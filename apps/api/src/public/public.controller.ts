import { BadRequestException, Body, Controller, Get, Headers, HttpCode, Ip, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags, getSchemaPath, type SchemaObject } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { AttachmentIntake, defaultAttachmentKind, type ReceivedFile } from '#attachments';
import type { AttachmentFacts, Language } from '#domain';
import { PublicChannel, type PublicFilingResponse, type PublicRequest } from '#public-channel';
import { ProjectionRunner } from '#projections';
import { currentRequest } from '#platform';
import { Public } from '../auth/auth.guard.js';
import { PublicFeedbackDto, PublicFilingDto, TrackQuery } from './public.dto.js';
import { PUBLIC_KINDS_SCHEMA, PublicCaseDto, PublicFeedbackRecordedDto, PublicFiledDto, PublicUnitDto, ReceiptCheckDto } from './public.responses.js';
import { Refuses } from '../openapi/refusals.js';
import { idempotencyKeyOf } from '../http/idempotency-key.js';
import { discardCreated, MAX_FIELD_BYTES, MAX_FILES_PER_REQUEST, readMultipart } from '../http/multipart.js';
import { createValidationPipe } from '../http/validation.js';
import { untilFindable } from '../http/read-your-writes.js';

/** The multipart form of a filing (OpenAPI): the filing as JSON text, then its files. */
const PUBLIC_FILING_PARTS_SCHEMA: SchemaObject = {
  title: 'PublicFilingParts',
  type: 'object',
  required: ['case'],
  properties: {
    case: { type: 'string', description: `the filing (a \`PublicFilingDto\`) as JSON text (at most ${MAX_FIELD_BYTES / 1024} KB), in a text part sent before the files` },
    files: { type: 'array', maxItems: MAX_FILES_PER_REQUEST, items: { type: 'string', format: 'binary' }, description: 'photos, documents or recordings: they become attachments of the case' },
  },
};

/**
 * The resident's channel (API.md): no account, no staff token read or needed. Answers never
 * carry a name, phone, note text or user id; answers holding an access code are not cached.
 */
@ApiTags('public')
@ApiExtraModels(PublicFilingDto)
@Public()
@Controller('api/v1/public')
export class PublicController {
  /** Checks the multipart body's `case` part as the global pipe checks a JSON body. */
  private readonly validation = createValidationPipe();

  constructor(
    private readonly channel: PublicChannel,
    private readonly intake: AttachmentIntake,
    private readonly projections: ProjectionRunner,
  ) {}

  @Get('units')
  @ApiOperation({ summary: 'The communities and grids a resident may file to, with their paths' })
  @ApiOkResponse({ type: [PublicUnitDto], description: 'every community and grid, in the org tree’s order' })
  units() {
    return this.channel.units();
  }

  @Get('kinds')
  @ApiOperation({ summary: 'The kinds of case open to the public' })
  @ApiOkResponse({ schema: PUBLIC_KINDS_SCHEMA, description: 'the kinds residents may file' })
  kinds() {
    return this.channel.kinds();
  }

  /**
   * JSON, or multipart/form-data with the filing as JSON text in a `case` part and up to 5 files
   * in `files` parts. The address's filing is counted before the body is read, so that an address
   * past its limit uploads nothing; files are stored as they stream in and recorded with the
   * filing in one append; a refused filing takes its count back and leaves none of its files.
   */
  @Post('cases')
  @ApiOperation({ summary: 'File a case as a resident: answers the case number, a one-time access code and a receipt' })
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({
    description: 'as JSON (a `PublicFilingDto`), or as multipart/form-data: the filing as JSON in a `case` part (typed application/json or text/plain), sent first, and up to 5 `files` (at most 20 MB each: JPEG, PNG, WebP, PDF, MP3, M4A or WAV by content)',
    schema: { oneOf: [{ $ref: getSchemaPath(PublicFilingDto) }, PUBLIC_FILING_PARTS_SCHEMA] },
    encoding: { case: { contentType: 'application/json' } },
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'a retry with the same key and body returns the first answer (1-200 characters)' })
  @ApiCreatedResponse({ type: PublicFiledDto, description: 'filed (or, for a retried Idempotency-Key, the first filing’s answer again)' })
  @Refuses({
    400: ['invalid', 'upload_aborted'],
    409: ['idempotency_key_reused'],
    413: ['payload_too_large'],
    415: ['unsupported_media_type'],
    429: ['rate_limited'],
  })
  async file(@Req() request: FastifyRequest, @Headers('idempotency-key') key: string | undefined, @Ip() clientAddress: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const idempotencyKey = idempotencyKeyOf(key);
    const booking = await this.channel.bookFiling(clientAddress);
    let files: readonly ReceivedFile[] = [];
    let answer: PublicFilingResponse;
    try {
      const checked = async (body: unknown) => (await this.validation.transform(body, { type: 'body', metatype: PublicFilingDto })) as PublicFilingDto;
      let body: unknown = request.body;
      if (request.isMultipart()) {
        // The filing is checked when its part arrives, before any file is read: a refused filing,
        // whose count is given back, cannot be a way to upload and re-encode files for nothing.
        const checkJsonFirst = async (text: string) => this.channel.checkFiling(await checked(filingPart(text)));
        const upload = await readMultipart(request, this.intake, { fileField: 'files', maxFiles: MAX_FILES_PER_REQUEST, jsonField: 'case', requireFile: false, checkJsonFirst });
        files = upload.files;
        body = filingPart(upload.json);
      }
      const filing = await checked(body);
      const attachments = files.map(asAttachment);
      const idempotencyBody = { case: body, files: files.map((file) => file.sha256) };
      answer = await this.channel.file(filing, attachments, { ...this.request(), idempotencyKey, idempotencyBody });
    } catch (error) {
      await discardCreated(this.intake, files);
      await this.channel.withdraw(booking);
      throw error;
    }
    // Filed (or answered from the first filing): its files are the case's now, whatever follows.
    if (answer.replayed) await this.channel.withdraw(booking);
    await untilFindable(this.projections, answer.body.receipt.position);
    void reply.status(answer.statusCode).header('Cache-Control', 'no-store');
    return answer.body;
  }

  @Get('cases/:number')
  @ApiOperation({ summary: 'Follow a case with its number and access code (an unknown number and a wrong code are the same 404)' })
  @ApiParam({ name: 'number', description: 'the case number given at filing', example: 'MY-2026-000123' })
  @ApiOkResponse({ type: PublicCaseDto, description: 'the case as its filer may see it: levels and steps, never people, phones or notes' })
  @Refuses({ 404: ['not_found'], 429: ['rate_limited'] })
  track(@Param('number') number: string, @Query() { code, lang }: TrackQuery, @Headers('accept-language') acceptLanguage: string | undefined, @Ip() clientAddress: string, @Res({ passthrough: true }) reply: FastifyReply) {
    void reply.header('Cache-Control', 'no-store');
    return this.channel.track(number, code, clientAddress, lang ?? languageOf(acceptLanguage));
  }

  @Post('cases/:number/feedback')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rate the answer to a resolved case' })
  @ApiParam({ name: 'number', description: 'the case number given at filing', example: 'MY-2026-000123' })
  @ApiOkResponse({ type: PublicFeedbackRecordedDto, description: 'the rating, recorded as feedback by the public actor' })
  @Refuses({ 404: ['not_found'], 409: ['illegal_transition', 'revision_conflict'], 429: ['rate_limited'] })
  feedback(@Param('number') number: string, @Body() { code, satisfaction, comment }: PublicFeedbackDto, @Ip() clientAddress: string) {
    return this.channel.feedback(number, code, { satisfaction, comment }, clientAddress, this.request());
  }

  @Get('receipts/:hash')
  @ApiOperation({ summary: 'Check a receipt: the filing with this hash is still in the log as filed, and its stream verifies' })
  @ApiParam({ name: 'hash', description: 'the receipt’s hash (64 hex digits, any letter case)', example: '9f2c4e7a1b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8' })
  @ApiOkResponse({ type: ReceiptCheckDto, description: 'the filing of this receipt, and whether it is intact' })
  @Refuses({ 404: ['not_found'] })
  receipt(@Param('hash') hash: string): Promise<ReceiptCheckDto> {
    return this.channel.receipt(hash);
  }

  private request(): PublicRequest {
    const request = currentRequest();
    return { correlationId: request?.requestId ?? randomUUID(), clientRequestId: request?.clientRequestId };
  }
}

/** The multipart body's `case` part, parsed: missing or not JSON is a 400 naming it. */
function filingPart(text: string | undefined): unknown {
  const problem = (message: string) => new BadRequestException({ message, details: [{ field: 'case', message }] });
  if (text === undefined) throw problem('send the filing as JSON text in a part named "case"');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw problem('the "case" part is not valid JSON');
  }
}

/** A resident's file as the case records it: its kind follows from its type, with no description. */
function asAttachment(file: ReceivedFile): AttachmentFacts {
  return {
    attachmentId: randomUUID(),
    sha256: file.sha256,
    size: file.size,
    mediaType: file.mediaType,
    name: file.name,
    kind: defaultAttachmentKind(file.mediaType),
    description: null,
  };
}

/** English when the browser prefers it to Chinese, else Chinese. */
export function languageOf(acceptLanguage: string | undefined): Language {
  const first = (acceptLanguage ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'zh-CN';
}

