import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import type { StoreAndFilesVerification } from '#attachments';
import type { Dossier, DossierAuthor, DossierEvent } from '#audit';
import { CASE_EVENT_TYPES, CLOCK_STATES, ON_BREACH_ACTIONS, SLA_CLOCKS, type ActorRole, type CaseEventType, type Clock, type ClockState, type Duration, type OnBreach, type SlaClock } from '#domain';
import type { StoreAnchor } from '#event-store';
import {
  CaseAnnotationDto,
  CaseAttachmentDto,
  CaseDetailDto,
  CaseNoteDto,
  CaseVerificationDto,
  DeadlineDto,
  DurationDto,
} from '../cases/case.responses.js';
import type { BrokenStreamView } from './audit.controller.js';
import { ACTOR_ROLES, COUNT, SHA256_HEX, TIME } from '../openapi/properties.js';

/**
 * The answers of whole-store verification and anchors (`/api/v1/audit/...`) and of a case's
 * dossier (`GET /api/v1/cases/{id}/dossier`).
 */


// ---------------------------------------------------------------- whole-store verification and anchors

/** A broken stream the caller may see: the case behind it, and for a broken file, which file. */
@ApiSchema({ name: 'BrokenStream' })
export class BrokenStreamDto implements BrokenStreamView {
  @ApiProperty({ description: 'the stream: `case-<id>` for a case, `bulletin-<id>`, `user-<id>`…', example: 'case-3f0a9c2e-5b1d-4e7a-8c6f-2d9e4b7a1c05' }) streamId!: string;
  @ApiProperty({ ...COUNT, description: 'the first revision missing, altered or not vouched for by the head row; for a file, its AttachmentAdded event', example: 1 }) revision!: number;
  @ApiProperty({ description: 'what is wrong, in words; `attachment` for a changed or missing file', example: 'revision 1 was altered: its hash does not match its contents' }) problem!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'the case the stream holds; null when it is not a case the read model knows' }) caseId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'that case’s number', example: 'MY-2026-000123' }) caseNumber!: string | null;
  @ApiPropertyOptional({ format: 'uuid', description: 'with `problem: "attachment"`: the attachment whose file is broken' }) attachmentId?: string;
  @ApiPropertyOptional({ enum: ['changed', 'missing', 'unreadable'], description: 'with `problem: "attachment"`: how the file is broken' }) status?: 'changed' | 'missing' | 'unreadable';
  @ApiPropertyOptional({ description: 'with `problem: "attachment"`: what is wrong with the file, in words', example: 'the stored file no longer matches its recorded SHA-256' }) message?: string;
}

/** `GET /api/v1/audit/verify`: every stream walked; the broken ones the caller may see. */
@ApiSchema({ name: 'StoreVerification' })
export class StoreVerificationDto implements Omit<StoreAndFilesVerification, 'anchor' | 'broken'> {
  @ApiProperty({ description: 'every stream’s chain and head row, and every attachment’s file, check out (over the whole store, whoever asks)' }) ok!: boolean;
  @ApiProperty({ ...COUNT, description: 'streams walked: those with events or a head row', example: 128 }) streams!: number;
  @ApiProperty({ ...COUNT, description: 'events checked', example: 1042 }) events!: number;
  @ApiProperty({ ...COUNT, description: 'attachment files re-hashed', example: 17 }) files!: number;
  @ApiProperty({ type: [BrokenStreamDto], description: 'the broken streams the caller may read (a case that has been in their subtree; everything at the root), in stream id order' }) broken!: BrokenStreamDto[];
  @ApiProperty({ ...COUNT, description: 'how many broken streams are not listed, being outside the caller’s scope', example: 0 }) brokenOutsideScope!: number;
}

/** `GET /api/v1/audit/anchor`: a digest of every stream's head at a point of the log. */
@ApiSchema({ name: 'AuditAnchor' })
export class AuditAnchorDto implements StoreAnchor {
  @ApiProperty({ ...COUNT, description: 'the global position of the last event covered (0 for an empty log)', example: 1042 }) position!: number;
  @ApiProperty({ pattern: '^\\d+$', description: 'that event’s transaction id (an xid8, as text): the anchor covers every event at or before (commit, position) in log order', example: '7781' }) commit!: string;
  @ApiProperty({ ...COUNT, description: 'how many streams had events at that point', example: 128 }) streams!: number;
  @ApiProperty({ ...SHA256_HEX, description: 'hex SHA-256 over those streams’ last hashes, by stream id: keep it elsewhere, ask again with ?position= later and compare', example: '9b2d5f0c1e7a4b3d8c6e2f1a0b9d8c7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c' }) digest!: string;
}

// ---------------------------------------------------------------- the dossier

@ApiSchema({ name: 'DossierActor' })
export class DossierActorDto implements Readonly<DossierEvent['actor']> {
  @ApiProperty({ description: 'the acting user’s id; `system` for the engine, `public` for a resident', example: '0b6c1f2e-8d1a-4c3e-9f4b-2a7d5e6f8a90' }) id!: string;
  @ApiProperty({ description: 'who it was, as the report names them: `名字（用户名）`, the system, the resident, or the id when no account has it', example: '王协调（hd-dg-1.coordinator）' }) name!: string;
  @ApiProperty({ enum: ACTOR_ROLES, description: 'the role they acted in' }) role!: ActorRole;
  @ApiProperty({ description: 'the role in Chinese', example: '协调员' }) roleLabel!: string;
}

@ApiSchema({ name: 'DossierUnit' })
export class DossierUnitDto implements NonNullable<DossierEvent['unit']> {
  @ApiProperty({ example: 'hd-dg-1' }) id!: string;
  @ApiProperty({ example: '东关社区' }) name!: string;
}

/** One event of the case: as its history shows it, and in words. */
@ApiSchema({ name: 'DossierEvent' })
export class DossierEventDto implements DossierEvent {
  @ApiProperty({ ...COUNT, example: 3 }) revision!: number;
  @ApiProperty({ ...COUNT, description: 'the global log position', example: 1042 }) position!: number;
  @ApiProperty({ enum: CASE_EVENT_TYPES, example: 'NoteAdded' }) type!: CaseEventType;
  @ApiProperty({ ...TIME, description: 'when it was recorded' }) at!: string;
  @ApiProperty({ pattern: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$', description: 'the same time in the dossier’s time zone', example: '2026-11-02 09:05:00' }) localTime!: string;
  @ApiProperty({ type: DossierActorDto }) actor!: DossierActorDto;
  @ApiProperty({ type: DossierUnitDto, nullable: true, description: 'the acting person’s unit; null for the system and residents' }) unit!: DossierUnitDto | null;
  @ApiProperty({ description: 'the event in words, with its important fields', example: '添加调解记录：组织双方调解' }) description!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the event’s facts, as `GET /cases/{id}/history` shows them (a filing’s filer as in the case)' }) data!: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true, ...SHA256_HEX, description: 'the previous event’s hash; null for event 0' }) prevHash!: string | null;
  @ApiProperty({ ...SHA256_HEX, description: 'hex SHA-256 over the event and prevHash' }) hash!: string;
}

@ApiSchema({ name: 'DossierNote' })
export class DossierNoteDto extends CaseNoteDto {
  @ApiProperty({ description: 'who wrote it, named', example: '王协调（hd-dg-1.coordinator）' }) actorName!: string;
}

@ApiSchema({ name: 'DossierAnnotation' })
export class DossierAnnotationDto extends CaseAnnotationDto {
  @ApiProperty({ description: 'the leader, named', example: '李领导（hd.leader）' }) actorName!: string;
  @ApiProperty({ type: String, nullable: true, description: 'the name of the unit the case was handed to; null when it stayed', example: '东关社区' }) assignToUnitName!: string | null;
}

@ApiSchema({ name: 'DossierAttachment' })
export class DossierAttachmentDto extends CaseAttachmentDto {
  @ApiProperty({ description: 'who attached it, named', example: '张三（hd-dg-1.clerk）' }) actorName!: string;
}

/** One run of an SLA clock (a clock restarts, e.g. on a transfer or a reopening). */
@ApiSchema({ name: 'SlaClockRun' })
export class ClockRunDto implements Clock {
  @ApiProperty({ enum: SLA_CLOCKS }) clock!: SlaClock;
  @ApiProperty({ ...TIME, description: 'when the event that started the run was recorded' }) startedAt!: string;
  @ApiProperty({ ...COUNT, description: 'that event’s revision: with `clock`, what names the run', example: 1 }) startedAtRevision!: number;
  @ApiProperty({ type: DurationDto, description: 'the run’s length as the policy set it when it started' }) duration!: Duration;
  @ApiProperty({ ...COUNT, description: 'working days added by leaders’ extensions', example: 0 }) extendedWorkingDays!: number;
  @ApiProperty(TIME) dueAt!: string;
  @ApiProperty({ ...TIME, description: 'when the warning is due: the policy’s warnAt fraction of the run' }) warnAt!: string;
  @ApiProperty({ enum: CLOCK_STATES }) state!: ClockState;
  @ApiProperty({ ...TIME, nullable: true, description: 'when the run ended; null while it is open' }) stoppedAt!: string | null;
  @ApiProperty({ enum: ON_BREACH_ACTIONS }) onBreach!: OnBreach;
}

@ApiSchema({ name: 'DossierAuthor' })
export class DossierAuthorDto implements DossierAuthor {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'the account that asked; null for an operator on the command line' }) userId!: string | null;
  @ApiProperty({ example: 'auditor' }) username!: string;
  @ApiProperty({ enum: ['api', 'cli'] }) via!: 'api' | 'cli';
}

/** `GET /api/v1/cases/{id}/dossier`: a case's full record, for auditors and for print. */
@ApiSchema({ name: 'Dossier' })
export class DossierDto implements Dossier {
  @ApiProperty({ type: CaseDetailDto, description: 'the case as `GET /cases/{id}` shows it to the reader' }) case!: CaseDetailDto;
  @ApiProperty({ type: [DossierEventDto], description: 'every event, in order' }) timeline!: DossierEventDto[];
  @ApiProperty({ type: [DossierNoteDto], description: 'the case’s notes, oldest first, their writers named' }) notes!: DossierNoteDto[];
  @ApiProperty({ type: [DossierAnnotationDto], description: 'the leaders’ annotations (批示), oldest first' }) annotations!: DossierAnnotationDto[];
  @ApiProperty({ type: [DossierAttachmentDto], description: 'the files attached, in the order added, each with its full SHA-256' }) attachments!: DossierAttachmentDto[];
  @ApiProperty({ type: [DeadlineDto], description: 'the latest run of each SLA clock, as the case shows them' }) deadlines!: DeadlineDto[];
  @ApiProperty({ type: [ClockRunDto], description: 'every run of every SLA clock, in the order they started' }) clocks!: ClockRunDto[];
  @ApiProperty({ type: CaseVerificationDto, description: 'the hash chain, head row and files checked, as `GET /cases/{id}/verify` answers' }) verification!: CaseVerificationDto;
  @ApiProperty({ description: 'the IANA time zone of the timeline’s local times', example: 'Asia/Shanghai' }) timeZone!: string;
  @ApiProperty({ ...TIME, description: 'when the dossier was made' }) generatedAt!: string;
  @ApiProperty({ type: DossierAuthorDto, description: 'who asked for it' }) generatedBy!: DossierAuthorDto;
}

