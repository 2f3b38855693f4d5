import { CLOCK, type Now } from '#runtime';
import { BadRequestException, Controller, Get, Inject, NotFoundException, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiNotModifiedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { create as contentDisposition } from 'content-disposition';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Principal } from '#accounts';
import { AttachmentIntake, defaultAttachmentKind, downloadName, isImage, type OpenedBlob } from '#attachments';
import { CaseReader } from '#cases';
import { ATTACHMENT_KINDS, ATTACHMENT_MEDIA_TYPES, ORG_TREE, TEXT_LIMITS, decide, isUuid, type AttachmentFacts, type AttachmentKind, type CaseAttachment, type OrgTree } from '#domain';
import { CurrentUser } from '../auth/auth.guard.js';
import { discardCreated, readMultipart } from '../http/multipart.js';
import { Refuses } from '../openapi/refusals.js';
import { AttachmentAddedDto } from './attachments.responses.js';
import { caseId } from './cases.controller.js';
import { CasesService } from './cases.service.js';

/** The answer to an upload (API.md, "Attachments"), with where the event landed (an addition). */
export interface UploadedAttachment {
  readonly attachmentId: string;
  readonly sha256: string;
  readonly size: number;
  readonly mediaType: string;
  readonly name: string;
  readonly revision: number;
  readonly position: number;
}

/**
 * Files on a case: an upload is stored (sniffed, stripped, hashed) and then recorded as
 * AttachmentAdded through the command path; a download streams the stored bytes to readers of
 * the case. Who may upload is checked before a byte of the body is read.
 */
@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1/cases')
export class AttachmentsController {
  constructor(
    private readonly cases: CasesService,
    private readonly reader: CaseReader,
    private readonly intake: AttachmentIntake,
    @Inject(ORG_TREE) private readonly org: OrgTree,
    @Inject(CLOCK) private readonly clock: Now,
  ) {}

  @Post(':id/attachments')
  @ApiConsumes('multipart/form-data')
  @ApiOperation({ summary: 'Attach a file (multipart: file, kind?, description?): at most 20 MB, JPEG, PNG, WebP, PDF, MP3, M4A or WAV by content' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'the case' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        file: { type: 'string', format: 'binary', description: 'one file of at most 20 MB: JPEG, PNG, WebP, PDF, MP3, M4A or WAV, read from its content; images lose their metadata (EXIF, GPS)' },
        kind: { type: 'string', enum: [...ATTACHMENT_KINDS], description: 'default: photo for an image, audio for a recording, else document' },
        description: { type: 'string', maxLength: TEXT_LIMITS.attachmentDescription, example: '双方签字的调解协议' },
      },
    },
  })
  @ApiCreatedResponse({ type: AttachmentAddedDto, description: 'stored and recorded as AttachmentAdded' })
  @Refuses({
    400: ['upload_aborted'],
    403: ['forbidden'],
    404: ['not_found'],
    409: ['illegal_transition', 'limit_reached'],
    413: ['payload_too_large'],
    415: ['unsupported_media_type'],
  })
  async upload(@CurrentUser() user: Principal, @Param('id') id: string, @Req() request: FastifyRequest): Promise<AttachmentAddedDto> {
    const target = caseId(id);
    await this.refuseEarly(user, target);
    const upload = await readMultipart(request, this.intake, { fileField: 'file', maxFiles: 1, fields: ['kind', 'description'] });
    const [file] = upload.files;
    try {
      const attachment: AttachmentFacts = {
        attachmentId: randomUUID(),
        sha256: file!.sha256,
        size: file!.size,
        mediaType: file!.mediaType,
        name: file!.name,
        kind: attachmentKind(upload.fields.kind) ?? defaultAttachmentKind(file!.mediaType),
        description: attachmentDescription(upload.fields.description),
      };
      const { revision, position } = await this.cases.execute(user, target, { type: 'AddAttachment', attachment });
      const { attachmentId, sha256, size, mediaType, name } = attachment;
      return { attachmentId, sha256, size, mediaType, name, revision, position };
    } catch (error) {
      await discardCreated(this.intake, upload.files);
      throw error;
    }
  }

  /**
   * The domain's refusals (unknown or unreadable case, role, scope, state, no room left), decided
   * on the case as it is now with a stand-in file, so that a refused upload is never read or
   * stored. The append decides again on the real file.
   */
  private async refuseEarly(user: Principal, id: string): Promise<void> {
    const { state } = await this.reader.current(user, id);
    const standIn: AttachmentFacts = { attachmentId: randomUUID(), sha256: '0'.repeat(64), size: 0, mediaType: 'application/pdf', name: 'file', kind: 'document', description: null };
    decide({ type: 'AddAttachment', caseId: id, actor: user, at: this.clock().toISOString(), attachment: standIn }, state, { org: this.org, clocks: [] });
  }

  @Get(':id/attachments/:attachmentId')
  @ApiOperation({ summary: 'The bytes of an attachment, to readers of the case (images inline, others as a download); ?thumbnail=1 for a small JPEG of an image' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'the case' })
  @ApiParam({ name: 'attachmentId', format: 'uuid' })
  @ApiQuery({ name: 'thumbnail', required: false, enum: ['1', '0', 'true', 'false'], description: '1: a JPEG of the image at most 320 px a side (images only)' })
  @ApiOkResponse({
    description: 'the stored bytes, in the type read from their content (a thumbnail: image/jpeg); images inline, others as a download',
    headers: {
      'Content-Disposition': { description: '`inline` for an image, else `attachment`, with the file name', schema: { type: 'string' } },
      ETag: { description: 'the SHA-256 of the bytes: send it as If-None-Match to get 304', schema: { type: 'string' } },
      'X-Content-Type-Options': { description: 'always `nosniff`', schema: { type: 'string', enum: ['nosniff'] } },
      'Cache-Control': { description: 'always `private`', schema: { type: 'string', enum: ['private'] } },
    },
    content: Object.fromEntries(ATTACHMENT_MEDIA_TYPES.map((mediaType) => [mediaType, { schema: { type: 'string', format: 'binary' } }])),
  })
  @ApiNotModifiedResponse({ description: 'If-None-Match named the ETag: the bytes have not changed' })
  @Refuses({ 404: ['not_found'] })
  async download(
    @CurrentUser() user: Principal,
    @Param('id') id: string,
    @Param('attachmentId') attachmentId: string,
    @Query('thumbnail') thumbnail: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { state } = await this.reader.current(user, caseId(id));
    const attachment = isUuid(attachmentId) ? state.attachments.find((a) => a.attachmentId === attachmentId.toLowerCase()) : undefined;
    if (!attachment) throw new NotFoundException({ message: `no attachment ${attachmentId} on this case`, code: 'not_found' });
    const small = thumbnailWanted(thumbnail);
    if (small && !isImage(attachment.mediaType)) throw fieldError('thumbnail', 'only images have thumbnails');
    const etag = `"${attachment.sha256}${small ? '-thumbnail' : ''}"`;
    reply.header('X-Content-Type-Options', 'nosniff').header('Cache-Control', 'private').header('ETag', etag);
    if (request.headers['if-none-match'] === etag) return void (await reply.code(304).send());
    const blob = small ? await this.intake.thumbnail(attachment.sha256) : await this.intake.open(attachment.sha256);
    if (!blob) throw new NotFoundException({ message: `the stored file of attachment ${attachment.attachmentId} is missing; verification of the case reports it`, code: 'not_found' });
    await this.send(reply, attachment, blob, small);
  }

  private async send(reply: FastifyReply, attachment: CaseAttachment, blob: OpenedBlob, thumbnail: boolean): Promise<void> {
    const inline = isImage(attachment.mediaType);
    await reply
      .header('Content-Type', thumbnail ? 'image/jpeg' : attachment.mediaType)
      .header('Content-Length', String(blob.size))
      .header('Content-Disposition', contentDisposition(thumbnail ? thumbnailName(attachment.name) : downloadName(attachment.name, attachment.mediaType), { type: inline ? 'inline' : 'attachment' }))
      .send(blob.stream);
  }
}

function thumbnailWanted(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw fieldError('thumbnail', 'thumbnail is 1 or 0');
}

function thumbnailName(name: string): string {
  return `${name.replace(/\.[^.]*$/, '')}-thumbnail.jpg`;
}

function attachmentKind(value: string | undefined): AttachmentKind | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const kind = value.trim();
  if (!(ATTACHMENT_KINDS as readonly string[]).includes(kind)) throw fieldError('kind', `kind is one of ${ATTACHMENT_KINDS.join(', ')}`);
  return kind as AttachmentKind;
}

function attachmentDescription(value: string | undefined): string | null {
  const text = value?.trim() ?? '';
  if (text === '') return null;
  const max = TEXT_LIMITS.attachmentDescription;
  if ([...text].length > max) throw fieldError('description', `description is at most ${max} characters`);
  return text;
}

function fieldError(field: string, message: string): BadRequestException {
  return new BadRequestException({ message, details: [{ field, message }] });
}
