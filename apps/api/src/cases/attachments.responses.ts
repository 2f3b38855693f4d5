import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ATTACHMENT_MEDIA_TYPES, type AttachmentMediaType } from '#domain';
import type { UploadedAttachment } from './attachments.controller.js';
import { SHA256_HEX } from '../openapi/properties.js';

/** `POST /api/v1/cases/{id}/attachments` → 201 (API.md, "Attachments"), with where its event landed. */
@ApiSchema({ name: 'AddedAttachment', description: 'a file stored and recorded on the case as AttachmentAdded' })
export class AttachmentAddedDto implements UploadedAttachment {
  @ApiProperty({ format: 'uuid', description: 'the attachment’s id: GET /api/v1/cases/{id}/attachments/{attachmentId} sends its bytes' }) attachmentId!: string;
  @ApiProperty({ ...SHA256_HEX, description: 'the SHA-256 of the bytes stored (images after their metadata was stripped), in hex', example: '3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b' })
  sha256!: string;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'bytes stored', example: 183204 }) size!: number;
  @ApiProperty({ enum: ATTACHMENT_MEDIA_TYPES, description: 'the type read from the content, never from the name or a header', example: 'image/jpeg' }) mediaType!: AttachmentMediaType;
  @ApiProperty({ description: 'the file name as sent, without any path or control characters', example: '现场照片.jpg' }) name!: string;
  @ApiProperty({ type: 'integer', description: 'the case’s revision after the AttachmentAdded event', example: 3 }) revision!: number;
  @ApiProperty({ type: 'integer', description: 'the global log position of the event (minPosition for lists)', example: 1843 }) position!: number;
}
