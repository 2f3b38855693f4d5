import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiSchema, getSchemaPath, type SchemaObject } from '@nestjs/swagger';
import {
  ADOPTION_KINDS,
  ADOPTION_LEVELS,
  ATTACHMENT_KINDS,
  ATTACHMENT_MEDIA_TYPES,
  CASE_ACTIONS,
  CASE_EVENT_TYPES,
  CASE_KINDS,
  CASE_STATUSES,
  CHANNELS,
  CLOCK_STATES,
  NOTE_TYPES,
  ON_BREACH_ACTIONS,
  RESOLUTION_OUTCOMES,
  SATISFACTION_LEVELS,
  SLA_CLOCKS,
  URGENCIES,
  VISIT_REASONS,
  type AdoptionKind,
  type AdoptionLevel,
  type AttachmentKind,
  type AttachmentMediaType,
  type CaseAction,
  type CaseAdoption,
  type CaseAnnotation,
  type CaseAttachment,
  type CaseEventDataMap,
  type CaseEventType,
  type CaseFeedback,
  type CaseKind,
  type CaseLocation,
  type CaseNote,
  type CaseResolution,
  type CaseStatus,
  type Channel,
  type ClockState,
  type Deadline,
  type DeadlineExtension,
  type Duration,
  type Filer,
  type NoteType,
  type OnBreach,
  type Party,
  type PendingAnnotation,
  type RecordedDeadline,
  type ResolutionOutcome,
  type Satisfaction,
  type SlaClock,
  type Urgency,
  type VisitReason,
} from '#domain';
import type { AttachmentProblem, CaseVerification } from '#attachments';
import type { Colleague, FiledCase, presentCase, presentEvent } from '#cases';
import type { HistoryPage } from '../http/history-page.js';
import { ACTOR_ROLES, INTEGER, SHA256_HEX, TIME } from '../openapi/properties.js';

/**
 * The answers of the case routes (API.md "Cases: commands" and "Cases: queries"), as the
 * presenters of libs/cases (presentCase, presentEvent, filedCase, asColleague) make them.
 */

const USER_ID = { type: String, format: 'uuid', example: '0b6c1f2e-8d1a-4c3e-9f4b-2a7d5e6f8a90' } as const;
const UNIT_ID = { type: String, example: 'hd-dg-1' } as const;
const CASE_NUMBER = { type: String, description: 'the case’s readable number, MY-<year>-<serial>', example: 'MY-2026-000123' } as const;
const REVISION = { ...INTEGER, minimum: 0, description: 'the case’s events counted from 0: the revision of its last event', example: 3 } as const;
const POSITION = { ...INTEGER, minimum: 0, description: 'the global log position of the last event written; pass it as `minPosition` to list queries to read your write', example: 1042 } as const;
/** Who recorded something: a user's id, or `system` (the engine's SLA moves) or `public` (a resident). */
const ACTOR_ID = { type: String, description: 'the acting user’s id; `system` for the engine, `public` for a resident', example: '0b6c1f2e-8d1a-4c3e-9f4b-2a7d5e6f8a90' } as const;

/** The case as presentCase shows it. */
type CaseView = ReturnType<typeof presentCase>;
/** A history entry as presentEvent shows it. */
type HistoryEventView = ReturnType<typeof presentEvent>;

// ---------------------------------------------------------------- commands

@ApiSchema({ name: 'FiledCase' })
export class CaseFiledDto implements FiledCase {
  @ApiProperty({ format: 'uuid', description: 'the new case’s id' }) id!: string;
  @ApiProperty(CASE_NUMBER) number!: string;
  @ApiProperty({ enum: ['filed'], description: 'a new case is filed' }) status!: 'filed';
  @ApiProperty({ ...REVISION, description: 'the filing is the case’s event 0', example: 0 }) revision!: number;
  @ApiProperty(POSITION) position!: number;
}

@ApiSchema({ name: 'CaseMoved' })
export class CaseMovedDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: CASE_STATUSES, description: 'the case’s status after the command', example: 'in_coordination' }) status!: CaseStatus;
  @ApiProperty(REVISION) revision!: number;
  @ApiProperty(POSITION) position!: number;
}

// ---------------------------------------------------------------- the parts of a case

@ApiSchema({ name: 'Colleague' })
export class ColleagueDto implements Colleague {
  @ApiProperty(USER_ID) id!: string;
  @ApiProperty({ example: 'hd-dg-1.coordinator' }) username!: string;
  @ApiProperty({ example: '东关社区联络员' }) displayName!: string;
  @ApiProperty({ ...UNIT_ID, description: 'the unit they work at' }) unitId!: string;
}

@ApiSchema({ name: 'Filer' })
export class CaseFilerDto implements Filer {
  @ApiProperty({ description: 'the filer’s name; `匿名` when an anonymous filer is withheld from the reader', example: '张三' }) name!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'whole only to a clerk or coordinator who may act on the case; else masked (`138****5678`); null when none was given or the filer is withheld',
    example: '138****5678',
  })
  phone!: string | null;
  @ApiProperty({ description: 'the filer asked not to be named' }) anonymous!: boolean;
}

@ApiSchema({ name: 'Party' })
export class CasePartyDto implements Party {
  @ApiProperty({ example: '李四' }) name!: string;
  @ApiProperty({ description: 'the party’s side or relation', example: '楼上住户' }) role!: string;
}

@ApiSchema({ name: 'Location' })
export class CaseLocationDto implements CaseLocation {
  @ApiProperty({ example: '东关街道幸福小区3号楼' }) address!: string;
  @ApiPropertyOptional({ minimum: -90, maximum: 90, example: 34.2655 }) lat?: number;
  @ApiPropertyOptional({ minimum: -180, maximum: 180, example: 108.9542 }) lng?: number;
}

@ApiSchema({ name: 'Note' })
export class CaseNoteDto implements CaseNote {
  @ApiProperty({ enum: NOTE_TYPES, description: 'contact, visit, mediation, or a note (an acceptance’s note is one)' }) type!: NoteType;
  @ApiProperty({ example: '已电话联系当事人，约定周三上门调解。' }) text!: string;
  @ApiProperty(ACTOR_ID) actorId!: string;
  @ApiProperty(TIME) at!: string;
}

@ApiSchema({ name: 'Annotation' })
export class CaseAnnotationDto implements CaseAnnotation {
  @ApiProperty({ description: 'the leader’s instruction (批示)', example: '请东关街道牵头，一周内协调解决并回复群众。' }) instruction!: string;
  @ApiProperty({ ...UNIT_ID, nullable: true, description: 'the unit the case was handed to, under supervision; null when it stayed' }) assignToUnitId!: string | null;
  @ApiProperty(ACTOR_ID) actorId!: string;
  @ApiProperty(TIME) at!: string;
}

@ApiSchema({ name: 'PendingAnnotation' })
export class PendingAnnotationDto implements PendingAnnotation {
  @ApiProperty({ description: 'what the leader is asked to annotate', example: '涉及多个部门，请领导批示。' }) summary!: string;
  @ApiProperty({ ...ACTOR_ID, description: 'who asked for it' }) requestedBy!: string;
  @ApiProperty(TIME) at!: string;
}

@ApiSchema({ name: 'Deadline' })
export class DeadlineDto implements Deadline {
  @ApiProperty({ enum: SLA_CLOCKS }) clock!: SlaClock;
  @ApiProperty({ ...TIME, description: 'when the clock’s latest run is due' }) dueAt!: string;
  @ApiProperty({ enum: CLOCK_STATES }) state!: ClockState;
}

@ApiSchema({ name: 'CaseResolution' })
export class CaseResolutionDto implements CaseResolution {
  @ApiProperty({ enum: RESOLUTION_OUTCOMES }) outcome!: ResolutionOutcome;
  @ApiProperty({ example: '经社区调解，双方就停车位分配达成一致。' }) summary!: string;
  @ApiProperty(TIME) at!: string;
}

@ApiSchema({ name: 'CaseFeedback' })
export class CaseFeedbackDto implements CaseFeedback {
  @ApiProperty({ enum: SATISFACTION_LEVELS }) satisfaction!: Satisfaction;
  @ApiProperty({ type: String, nullable: true, example: '处理及时，很满意。' }) comment!: string | null;
  @ApiProperty(TIME) at!: string;
  @ApiProperty({ description: 'given by the resident through the public channel, not recorded by staff on a callback' }) selfRated!: boolean;
}

@ApiSchema({ name: 'DeadlineExtension' })
export class DeadlineExtensionDto implements DeadlineExtension {
  @ApiProperty({ enum: SLA_CLOCKS }) clock!: SlaClock;
  @ApiProperty({ ...INTEGER, minimum: 1, example: 5 }) workingDays!: number;
  @ApiProperty({ example: '需协调多个部门，申请延期。' }) reason!: string;
  @ApiProperty(TIME) at!: string;
}

@ApiSchema({ name: 'CaseAttachment' })
export class CaseAttachmentDto implements CaseAttachment {
  @ApiProperty({ format: 'uuid' }) attachmentId!: string;
  @ApiProperty({ description: 'hex SHA-256 of the stored bytes (image metadata stripped)', ...SHA256_HEX }) sha256!: string;
  @ApiProperty({ ...INTEGER, minimum: 0, description: 'bytes' }) size!: number;
  @ApiProperty({ enum: ATTACHMENT_MEDIA_TYPES, description: 'read from the content' }) mediaType!: AttachmentMediaType;
  @ApiProperty({ description: 'the file name the uploader gave', example: '现场照片.jpg' }) name!: string;
  @ApiProperty({ enum: ATTACHMENT_KINDS }) kind!: AttachmentKind;
  @ApiProperty({ type: String, nullable: true, example: '楼道堆放杂物现场' }) description!: string | null;
  @ApiProperty(ACTOR_ID) actorId!: string;
  @ApiProperty(TIME) at!: string;
}

@ApiSchema({ name: 'CaseAdoption' })
export class CaseAdoptionDto implements CaseAdoption {
  @ApiProperty({ enum: ADOPTION_LEVELS }) level!: AdoptionLevel;
  @ApiProperty({ enum: ADOPTION_KINDS, description: 'adopted (采用) or annotated (批示)' }) kind!: AdoptionKind;
  @ApiProperty({ description: 'what was adopted, or the leader’s instruction', example: '建议在小区增设临时停车位，已被街道采纳。' }) body!: string;
  @ApiProperty({ type: String, nullable: true, example: '纳入街道年度实事项目' }) note!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'the bulletin it was adopted from' }) bulletinId!: string | null;
  @ApiProperty(ACTOR_ID) actorId!: string;
  @ApiProperty(TIME) at!: string;
}

// ---------------------------------------------------------------- the case

/** The fields of every view of a case (presentCase). */
class CaseFieldsDto implements CaseView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty(CASE_NUMBER) number!: string;
  @ApiProperty({ enum: CASE_KINDS }) kind!: CaseKind;
  @ApiProperty({ example: '小区停车位纠纷' }) title!: string;
  @ApiProperty({ example: '业主与物业因停车位分配发生争执，请求社区调解。' }) description!: string;
  @ApiProperty({ enum: CASE_STATUSES }) status!: CaseStatus;
  @ApiProperty({ ...UNIT_ID, description: 'the unit the case is at now' }) unitId!: string;
  @ApiProperty({ ...UNIT_ID, description: 'the unit it was filed at' }) filedUnitId!: string;
  @ApiProperty({ ...USER_ID, nullable: true, description: 'the coordinator it is assigned to; null when none' }) assigneeId!: string | null;
  @ApiProperty({ enum: URGENCIES }) urgency!: Urgency;
  @ApiProperty({ enum: CHANNELS }) channel!: Channel;
  @ApiProperty({ type: CaseFilerDto }) filer!: CaseFilerDto;
  @ApiProperty({ type: [CasePartyDto], description: 'the parties of a dispute' }) parties!: readonly CasePartyDto[];
  @ApiProperty({ enum: VISIT_REASONS, nullable: true, description: 'why a visit (六必访) was made; null for other kinds' }) visitReason!: VisitReason | null;
  @ApiProperty({ ...TIME, nullable: true, description: 'when it happened, as the filer said' }) occurredAt!: string | null;
  @ApiProperty({ type: CaseLocationDto, nullable: true }) location!: CaseLocationDto | null;
  @ApiProperty({ type: [CaseNoteDto], description: 'oldest first' }) notes!: readonly CaseNoteDto[];
  @ApiProperty({ type: [CaseAnnotationDto], description: 'leaders’ instructions (批示), oldest first' }) annotations!: readonly CaseAnnotationDto[];
  @ApiProperty({ type: PendingAnnotationDto, nullable: true, description: 'the request awaiting a leader’s annotation' }) pendingAnnotation!: PendingAnnotationDto | null;
  @ApiProperty({ type: [DeadlineDto], description: 'the latest run of each SLA clock, in the order they started' }) deadlines!: DeadlineDto[];
  @ApiProperty({ description: 'under supervision (督办): a leader’s annotation handed the case to a unit' }) supervised!: boolean;
  @ApiProperty({ type: CaseResolutionDto, nullable: true, description: 'the current resolution; cleared when the case goes back to coordination' }) resolution!: CaseResolutionDto | null;
  @ApiProperty({ type: [CaseFeedbackDto], description: 'the filer’s ratings, oldest first' }) feedback!: readonly CaseFeedbackDto[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'the case it was merged into' }) mergedIntoCaseId!: string | null;
  @ApiProperty({ type: [DeadlineExtensionDto], description: 'leaders’ deadline extensions, oldest first' }) extensions!: readonly DeadlineExtensionDto[];
  @ApiProperty({ type: [CaseAttachmentDto], description: 'the files attached, oldest first' }) attachments!: readonly CaseAttachmentDto[];
  @ApiProperty({ type: [CaseAdoptionDto], description: 'where the opinion was adopted or annotated (采用 / 批示), oldest first' }) adoptions!: readonly CaseAdoptionDto[];
  @ApiProperty({ description: 'filed by a resident through the public channel (the opinion mailbox)' }) publicFiling!: boolean;
  @ApiProperty({ type: [String], description: 'every unit the case has been at, in order of arrival', example: ['hd-dg-1', 'hd-dg'] }) unitsVisited!: readonly string[];
  @ApiProperty(REVISION) revision!: number;
  @ApiProperty({ ...TIME, description: 'when it was filed' }) createdAt!: string;
  @ApiProperty({ ...TIME, description: 'when its last event was recorded' }) updatedAt!: string;
}

const ASSIGNEE = 'the assignee by name (an addition to API.md); null when none';

/** A case in a list, in an inbox, and as `/state` shows it (which adds its assignee). */
@ApiSchema({ name: 'Case' })
export class CaseDto extends CaseFieldsDto {
  @ApiProperty({ type: ColleagueDto, nullable: true, required: false, description: `${ASSIGNEE}; in \`/state\` only, not in the lists` }) assignee?: ColleagueDto | null;
}

/** `GET /api/v1/cases/{id}`: the case now, its assignee, and what this user may do to it. */
@ApiSchema({ name: 'CaseDetail' })
export class CaseDetailDto extends CaseFieldsDto {
  @ApiProperty({ type: ColleagueDto, nullable: true, description: ASSIGNEE }) assignee!: ColleagueDto | null;
  @ApiProperty({ enum: CASE_ACTIONS, isArray: true, description: 'the actions this user may take on the case now' }) allowedActions!: readonly CaseAction[];
}

@ApiSchema({ name: 'CaseList' })
export class CaseListDto {
  @ApiProperty({ type: [CaseDto] }) items!: readonly CaseDto[];
  @ApiProperty({ ...INTEGER, minimum: 0, description: 'how many cases match; a lower bound when `totalExact` is false' }) total!: number;
  @ApiProperty({ description: 'false when a word search matched more cases than it counts' }) totalExact!: boolean;
  @ApiProperty({ ...INTEGER, minimum: 1, example: 1 }) page!: number;
  @ApiProperty({ ...INTEGER, minimum: 1, maximum: 100, example: 20 }) pageSize!: number;
}

@ApiSchema({ name: 'Inbox' })
export class InboxDto {
  @ApiProperty({ type: [CaseDto], description: 'the open cases waiting on my unit, assigned to me, or (leaders) awaiting my annotation' }) items!: readonly CaseDto[];
  @ApiProperty({ ...INTEGER, minimum: 0 }) total!: number;
}

// ---------------------------------------------------------------- the SLA deadlines an event records

@ApiSchema({ name: 'SlaDuration' })
export class DurationDto {
  @ApiPropertyOptional({ ...INTEGER, minimum: 1, description: 'working days (one of workingDays, seconds)' }) workingDays?: number;
  @ApiPropertyOptional({ ...INTEGER, minimum: 1, description: 'calendar seconds (one of workingDays, seconds)' }) seconds?: number;
}

@ApiSchema({ name: 'RecordedDeadline' })
export class RecordedDeadlineDto implements RecordedDeadline {
  @ApiProperty({ enum: SLA_CLOCKS }) clock!: SlaClock;
  @ApiProperty({ ...INTEGER, minimum: 0, description: 'the revision of the event that started the run' }) startedAtRevision!: number;
  @ApiProperty({ type: DurationDto, description: 'the run’s length as the policy then set it' }) duration!: Duration;
  @ApiProperty(TIME) dueAt!: string;
  @ApiProperty({ ...TIME, description: 'when the warning is due' }) warnAt!: string;
  @ApiProperty({ enum: ON_BREACH_ACTIONS }) onBreach!: OnBreach;
}

// ---------------------------------------------------------------- history: each event's data

/**
 * An event's data as a history shows it (presentEvent): as the domain records it, except that a
 * filing shows its filer as the case does and leaves out a resident's access-code digest.
 * Every case event is written in schema version 1 (CURRENT_SCHEMA_VERSION); nothing upcasts
 * older shapes, as there are none.
 */
type ShownData<T extends CaseEventType> = T extends 'CaseFiled' ? Omit<CaseEventDataMap['CaseFiled'], 'publicAccess'> : CaseEventDataMap[T];

@ApiSchema({ name: 'CaseFiledData', description: 'The filing as recorded. The filer is shown as the case shows it to this reader (the phone masked, an anonymous filer withheld); a resident’s access-code digest is never shown.' })
export class CaseFiledDataDto implements ShownData<'CaseFiled'> {
  @ApiProperty({ format: 'uuid', description: 'the case’s id' }) caseId!: string;
  @ApiProperty(CASE_NUMBER) number!: string;
  @ApiProperty({ enum: CASE_KINDS }) kind!: CaseKind;
  @ApiProperty({ example: '小区停车位纠纷' }) title!: string;
  @ApiProperty({ example: '业主与物业因停车位分配发生争执，请求社区调解。' }) description!: string;
  @ApiProperty({ enum: CHANNELS }) channel!: Channel;
  @ApiProperty({ ...UNIT_ID, description: 'the unit it was filed at' }) unitId!: string;
  @ApiProperty({ enum: URGENCIES }) urgency!: Urgency;
  @ApiProperty({ type: CaseFilerDto, description: 'as the case shows it to this reader' }) filer!: CaseFilerDto;
  @ApiProperty({ type: [CasePartyDto], description: 'the parties of a dispute' }) parties!: readonly CasePartyDto[];
  @ApiProperty({ enum: VISIT_REASONS, nullable: true, description: 'why a visit (六必访) was made; null for other kinds' }) visitReason!: VisitReason | null;
  @ApiProperty({ ...TIME, nullable: true, description: 'when it happened, as the filer said' }) occurredAt!: string | null;
  @ApiProperty({ type: CaseLocationDto, nullable: true }) location!: CaseLocationDto | null;
}

@ApiSchema({ name: 'CaseAcceptedData', description: 'The case was accepted for coordination (filed → in_coordination).' })
export class CaseAcceptedDataDto implements ShownData<'CaseAccepted'> {
  @ApiProperty({ type: String, nullable: true, description: 'kept on the case as a note of type `note`; null when none was given', example: '已受理，交网格员上门核实。' }) note!: string | null;
}

@ApiSchema({ name: 'CaseRejectedData', description: 'The case was rejected (filed → rejected).' })
export class CaseRejectedDataDto implements ShownData<'CaseRejected'> {
  @ApiProperty({ example: '不属于本社区受理范围' }) reason!: string;
}

@ApiSchema({ name: 'CaseAssignedData', description: 'The case was assigned to a coordinator (named in the page’s `people`).' })
export class CaseAssignedDataDto implements ShownData<'CaseAssigned'> {
  @ApiProperty({ ...USER_ID, description: 'the coordinator' }) assigneeId!: string;
  @ApiProperty({ ...UNIT_ID, description: 'the unit the coordinator works at' }) assigneeUnitId!: string;
}

@ApiSchema({ name: 'NoteAddedData', description: 'A contact, visit, mediation or note was recorded on the case.' })
export class NoteAddedDataDto implements ShownData<'NoteAdded'> {
  @ApiProperty({ enum: NOTE_TYPES }) noteType!: NoteType;
  @ApiProperty({ example: '已电话联系当事人，约定周三上门调解。' }) text!: string;
}

@ApiSchema({ name: 'CaseTransferredData', description: 'The case was handed to a sibling unit, where it arrives as `filed`.' })
export class CaseTransferredDataDto implements ShownData<'CaseTransferred'> {
  @ApiProperty({ ...UNIT_ID, example: 'hd-dg-1-g1' }) fromUnitId!: string;
  @ApiProperty({ ...UNIT_ID, example: 'hd-dg-1-g2' }) toUnitId!: string;
  @ApiProperty({ example: '属第二网格管辖' }) reason!: string;
}

@ApiSchema({ name: 'CaseEscalatedData', description: 'The case went up to the parent unit, where it arrives as `filed`.' })
export class CaseEscalatedDataDto implements ShownData<'CaseEscalated'> {
  @ApiProperty(UNIT_ID) fromUnitId!: string;
  @ApiProperty({ ...UNIT_ID, example: 'hd-dg' }) toUnitId!: string;
  @ApiProperty({
    description: 'the escalating user’s words; for an escalation on an SLA breach (actorId `system`) the engine’s: `<clock> clock breached (due <dueAt>): escalated automatically`',
    example: '涉及多个小区，需街道协调。',
  })
  reason!: string;
}

@ApiSchema({ name: 'AnnotationRequestedData', description: 'A leader’s annotation (批示) was asked for (→ awaiting_annotation).' })
export class AnnotationRequestedDataDto implements ShownData<'AnnotationRequested'> {
  @ApiProperty({ description: 'what the leader is asked to annotate', example: '涉及多个部门，请领导批示。' }) summary!: string;
}

@ApiSchema({ name: 'CaseAnnotatedData', description: 'A leader annotated the case (批示) (→ in_coordination), and may have handed it to a unit under supervision (督办).' })
export class CaseAnnotatedDataDto implements ShownData<'CaseAnnotated'> {
  @ApiProperty({ description: 'the leader’s instruction', example: '请东关街道牵头，一周内协调解决并回复群众。' }) instruction!: string;
  @ApiProperty({ ...UNIT_ID, nullable: true, description: 'the unit the case was handed to, under supervision; null when it stayed', example: 'hd-dg' }) assignToUnitId!: string | null;
  @ApiProperty({ ...UNIT_ID, description: 'the unit the case was at when annotated' }) fromUnitId!: string;
}

@ApiSchema({ name: 'CaseResolvedData', description: 'The case was resolved (→ resolved); the filer is called back next.' })
export class CaseResolvedDataDto implements ShownData<'CaseResolved'> {
  @ApiProperty({ enum: RESOLUTION_OUTCOMES }) outcome!: ResolutionOutcome;
  @ApiProperty({ example: '经社区调解，双方就停车位分配达成一致。' }) summary!: string;
}

@ApiSchema({ name: 'FeedbackRecordedData', description: 'The filer’s satisfaction: `unsatisfied` sends the case back to in_coordination, any other answer closes it. Given by the resident themself when the event’s actorRole is `public`.' })
export class FeedbackRecordedDataDto implements ShownData<'FeedbackRecorded'> {
  @ApiProperty({ enum: SATISFACTION_LEVELS }) satisfaction!: Satisfaction;
  @ApiProperty({ type: String, nullable: true, example: '处理及时，很满意。' }) comment!: string | null;
}

@ApiSchema({ name: 'CaseReopenedData', description: 'A closed case was reopened (closed → in_coordination).' })
export class CaseReopenedDataDto implements ShownData<'CaseReopened'> {
  @ApiProperty({ example: '问题复发，群众再次反映。' }) reason!: string;
}

@ApiSchema({ name: 'CaseClosedData', description: 'The case was closed (resolved → closed).' })
export class CaseClosedDataDto implements ShownData<'CaseClosed'> {
  @ApiProperty({ example: '已回访，群众表示满意，结案。' }) summary!: string;
}

@ApiSchema({ name: 'CaseWithdrawnData', description: 'The case was withdrawn at the filer’s request (→ withdrawn).' })
export class CaseWithdrawnDataDto implements ShownData<'CaseWithdrawn'> {
  @ApiProperty({ example: '当事人已自行协商解决，申请撤回。' }) reason!: string;
}

@ApiSchema({ name: 'CaseMergedData', description: 'The case was merged into another open case (→ merged).' })
export class CaseMergedDataDto implements ShownData<'CaseMerged'> {
  @ApiProperty({ format: 'uuid', description: 'the case it was merged into' }) intoCaseId!: string;
}

@ApiSchema({ name: 'DeadlineExtendedData', description: 'A leader extended an SLA clock’s current run.' })
export class DeadlineExtendedDataDto implements ShownData<'DeadlineExtended'> {
  @ApiProperty({ enum: SLA_CLOCKS }) clock!: SlaClock;
  @ApiProperty({ ...INTEGER, minimum: 1, example: 5 }) workingDays!: number;
  @ApiProperty({ example: '需协调多个部门，申请延期。' }) reason!: string;
}

/** Which run of an SLA clock an alert belongs to (SlaAlert): a clock restarts whenever its trigger recurs. */
class SlaAlertDataDto implements ShownData<'SlaWarningRaised' | 'SlaBreached'> {
  @ApiProperty({ enum: SLA_CLOCKS }) clock!: SlaClock;
  @ApiProperty({ ...TIME, description: 'when the run is due' }) dueAt!: string;
  @ApiProperty({ ...INTEGER, minimum: 0, description: 'the revision of the event that started the run' }) startedAtRevision!: number;
}

@ApiSchema({ name: 'SlaWarningRaisedData', description: 'The engine warned that an SLA clock’s run is soon due.' })
export class SlaWarningRaisedDataDto extends SlaAlertDataDto {}

@ApiSchema({ name: 'SlaBreachedData', description: 'An SLA clock’s run passed its due time (the case is overdue).' })
export class SlaBreachedDataDto extends SlaAlertDataDto {}

@ApiSchema({ name: 'AttachmentAddedData', description: 'A file was attached to the case (with a resident’s filing, in the same append as CaseFiled); its bytes are named by their SHA-256.' })
export class AttachmentAddedDataDto implements ShownData<'AttachmentAdded'> {
  @ApiProperty({ format: 'uuid' }) attachmentId!: string;
  @ApiProperty({ description: 'hex SHA-256 of the stored bytes (image metadata stripped)', ...SHA256_HEX }) sha256!: string;
  @ApiProperty({ ...INTEGER, minimum: 0, description: 'bytes' }) size!: number;
  @ApiProperty({ enum: ATTACHMENT_MEDIA_TYPES, description: 'read from the content' }) mediaType!: AttachmentMediaType;
  @ApiProperty({ description: 'the file name the uploader gave', example: '现场照片.jpg' }) name!: string;
  @ApiProperty({ enum: ATTACHMENT_KINDS }) kind!: AttachmentKind;
  @ApiProperty({ type: String, nullable: true, example: '楼道堆放杂物现场' }) description!: string | null;
}

@ApiSchema({ name: 'SuggestionAdoptedData', description: 'The opinion was adopted (采用) or annotated (批示) at a level: it earns the filer points in the appraisal.' })
export class SuggestionAdoptedDataDto implements ShownData<'SuggestionAdopted'> {
  @ApiProperty({ enum: ADOPTION_LEVELS }) level!: AdoptionLevel;
  @ApiProperty({ enum: ADOPTION_KINDS, description: 'adopted (采用) or annotated (批示)' }) kind!: AdoptionKind;
  @ApiProperty({ description: 'what was adopted, or the leader’s instruction', example: '建议在小区增设临时停车位，已被街道采纳。' }) body!: string;
  @ApiProperty({ type: String, nullable: true, example: '纳入街道年度实事项目' }) note!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'the bulletin (简报) it was adopted from' }) bulletinId!: string | null;
}

/** The data schema of every event type: the compiler checks that each type has one, shaped as the domain's data. */
const EVENT_DATA: { readonly [T in CaseEventType]: new () => ShownData<T> } = {
  CaseFiled: CaseFiledDataDto,
  CaseAccepted: CaseAcceptedDataDto,
  CaseRejected: CaseRejectedDataDto,
  CaseAssigned: CaseAssignedDataDto,
  NoteAdded: NoteAddedDataDto,
  CaseTransferred: CaseTransferredDataDto,
  CaseEscalated: CaseEscalatedDataDto,
  AnnotationRequested: AnnotationRequestedDataDto,
  CaseAnnotated: CaseAnnotatedDataDto,
  CaseResolved: CaseResolvedDataDto,
  FeedbackRecorded: FeedbackRecordedDataDto,
  CaseReopened: CaseReopenedDataDto,
  CaseClosed: CaseClosedDataDto,
  CaseWithdrawn: CaseWithdrawnDataDto,
  CaseMerged: CaseMergedDataDto,
  DeadlineExtended: DeadlineExtendedDataDto,
  SlaWarningRaised: SlaWarningRaisedDataDto,
  SlaBreached: SlaBreachedDataDto,
  AttachmentAdded: AttachmentAddedDataDto,
  SuggestionAdopted: SuggestionAdoptedDataDto,
};

// ---------------------------------------------------------------- history: the events

@ApiSchema({ name: 'EventMetadata' })
export class EventMetadataDto implements Omit<HistoryEventView['metadata'], 'deadlines'> {
  @ApiProperty(ACTOR_ID) actorId!: string;
  @ApiProperty({ enum: ACTOR_ROLES, description: 'the role the actor acted in' }) actorRole!: string;
  @ApiProperty({ ...UNIT_ID, nullable: true, description: 'the acting user’s unit; null for the engine and residents' }) unitId!: string | null;
  @ApiProperty({ ...TIME, description: 'when the event was recorded' }) at!: string;
  @ApiProperty({ description: 'the request (or job) that caused it, made by the server' }) correlationId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'the event or job that caused it, when not a request' }) causationId!: string | null;
  @ApiPropertyOptional({ description: 'the `X-Request-Id` the client sent' }) clientRequestId?: string;
  @ApiPropertyOptional({ type: [RecordedDeadlineDto], description: 'the SLA deadlines the event set' }) deadlines?: readonly RecordedDeadlineDto[];
}

/** The envelope every history entry has, whatever its type (presentEvent). */
abstract class HistoryEventFieldsDto implements Omit<HistoryEventView, 'type' | 'data' | 'metadata'> {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ ...INTEGER, minimum: 0 }) revision!: number;
  @ApiProperty({ ...INTEGER, minimum: 0, description: 'the global log position' }) position!: number;
  @ApiProperty({ ...INTEGER, minimum: 1, description: 'the version of the data’s shape; every case event is version 1 today', example: 1 }) schemaVersion!: number;
  @ApiProperty({ type: EventMetadataDto }) metadata!: EventMetadataDto;
  @ApiProperty({ type: String, nullable: true, description: 'the previous event’s hash; null for event 0', ...SHA256_HEX }) prevHash!: string | null;
  @ApiProperty({ description: 'hex SHA-256 over the event and prevHash', ...SHA256_HEX }) hash!: string;
}

/** The schema of one event type's entries, `<type>Event`: the envelope, the type's one value, its data. */
function historyEventOf<T extends CaseEventType>(type: T) {
  const data = EVENT_DATA[type];
  @ApiSchema({ name: `${type}Event`, description: `A history entry of type ${type}: the envelope every entry has, and its data (${type}Data).` })
  class HistoryEventOfType extends HistoryEventFieldsDto {
    @ApiProperty({ enum: [type], description: 'the event’s type, which tells the shape of `data`' }) type!: T;
    @ApiProperty({ type: data }) data!: ShownData<T>;
  }
  return HistoryEventOfType;
}

/** `CaseFiledEvent`, `CaseAcceptedEvent`, …: one schema for each of CASE_EVENT_TYPES, in its order. */
const HISTORY_EVENT_DTOS = CASE_EVENT_TYPES.map(historyEventOf);

const eventSchemaPath = (type: CaseEventType) => getSchemaPath(`${type}Event`);

/**
 * `HistoryEvent`, one entry of a case's history: one of the `<type>Event` schemas, told apart by
 * `type` (OpenAPI 3.0's discriminator). A union is no class, so describeApi adds it to the
 * document's schemas under this name; CaseHistory registers its members.
 */
export const HISTORY_EVENT_SCHEMA = {
  description: 'One entry of a case’s history: the envelope every entry has, and the data of its `type`.',
  oneOf: CASE_EVENT_TYPES.map((type) => ({ $ref: eventSchemaPath(type) })),
  discriminator: { propertyName: 'type', mapping: Object.fromEntries(CASE_EVENT_TYPES.map((type) => [type, eventSchemaPath(type)])) },
} satisfies SchemaObject;

@ApiSchema({ name: 'CaseHistory' })
@ApiExtraModels(...HISTORY_EVENT_DTOS)
export class CaseHistoryDto implements Omit<HistoryPage<unknown>, 'events'> {
  /** Typed as presentEvent makes them (its data untyped): EVENT_DATA keeps each type's schema in step with the domain's data. */
  @ApiProperty({ type: 'array', items: { $ref: getSchemaPath('HistoryEvent') }, description: 'from fromRevision, at most limit, in order' }) events!: readonly HistoryEventView[];
  @ApiPropertyOptional({ ...INTEGER, minimum: 0, description: 'where the next page starts; absent on the last page' }) nextRevision?: number;
  @ApiProperty({ type: [ColleagueDto], description: 'the people the page’s events name (an addition to API.md)' }) people!: readonly ColleagueDto[];
}

// ---------------------------------------------------------------- state, verification

@ApiSchema({ name: 'CaseStateAt' })
export class CaseStateAtDto {
  @ApiProperty({ ...INTEGER, minimum: 0, description: 'the last event folded' }) revision!: number;
  @ApiProperty({ ...TIME, description: 'when that event was recorded' }) at!: string;
  @ApiProperty({ type: CaseDto, description: 'the case as it stood then, its assignee named as they are now' }) state!: CaseDto;
}

@ApiSchema({ name: 'CaseFileProblem' })
export class AttachmentProblemDto implements AttachmentProblem {
  @ApiProperty({ enum: ['attachment'] }) problem!: 'attachment';
  @ApiProperty({ format: 'uuid' }) attachmentId!: string;
  @ApiProperty({ ...INTEGER, minimum: 0, description: 'the revision of its AttachmentAdded event' }) revision!: number;
  @ApiProperty({ description: 'the SHA-256 recorded', ...SHA256_HEX }) sha256!: string;
  @ApiProperty({ enum: ['changed', 'missing', 'unreadable'] }) status!: 'changed' | 'missing' | 'unreadable';
  @ApiProperty({ example: 'the stored file no longer matches its recorded SHA-256' }) message!: string;
}

@ApiSchema({ name: 'CaseVerification' })
export class CaseVerificationDto implements CaseVerification {
  @ApiProperty({ description: 'every event, link, the head row and every file check out' }) ok!: boolean;
  @ApiProperty({ ...INTEGER, minimum: 0, description: 'events checked' }) events!: number;
  @ApiProperty({ type: String, nullable: true, description: 'the recomputed hash of the last event that checked out; null if none did', ...SHA256_HEX }) headHash!: string | null;
  @ApiPropertyOptional({ ...INTEGER, minimum: 0, description: 'the first revision missing, altered, not vouched for by the head row, or whose file is broken' }) firstBrokenRevision?: number;
  @ApiPropertyOptional({ description: 'what is wrong, in words; `attachment` when a file is', example: 'attachment' }) problem?: string;
  @ApiProperty({ type: [AttachmentProblemDto], description: 'each changed or missing file' }) problems!: readonly AttachmentProblemDto[];
  @ApiProperty({ ...INTEGER, minimum: 0, description: 'attachment files re-hashed' }) files!: number;
}

