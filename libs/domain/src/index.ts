export { PUBLIC_ACTOR, ROLES, SYSTEM_ACTOR, hasRole, isPublicActor, isSystemActor } from './actor.js';
export type { Actor, ActorRole, PublicActor, Role, SystemActor, UserActor } from './actor.js';

export { isUuid } from './ids.js';
export { DomainError, ForbiddenError, IllegalTransitionError, InvalidError, LimitReachedError, NotFoundError } from './errors.js';
export type { DomainErrorCode } from './errors.js';

export { ORG_LEVELS, OrgTree } from './org-tree.js';
export type { OrgLevel, OrgUnit } from './org-tree.js';
export { DEMO_ORG_UNITS } from './demo-org-units.js';

export {
  ADOPTION_KINDS,
  ADOPTION_LEVELS,
  ATTACHMENT_KINDS,
  ATTACHMENT_MEDIA_TYPES,
  CASE_KINDS,
  CASE_LIMITS,
  CHANNELS,
  NOTE_TYPES,
  PHONE_PATTERN,
  RESOLUTION_OUTCOMES,
  SATISFACTION_LEVELS,
  SLA_CLOCKS,
  TEXT_LIMITS,
  URGENCIES,
  VISIT_REASONS,
  adoptionLevelOf,
} from './case/vocabulary.js';
export type {
  AdoptionFacts,
  AdoptionKind,
  AdoptionLevel,
  AttachmentFacts,
  AttachmentKind,
  AttachmentMediaType,
  CaseFiling,
  CaseKind,
  CaseLocation,
  Channel,
  Filer,
  NoteType,
  Party,
  ResolutionOutcome,
  Satisfaction,
  SlaClock,
  Urgency,
  VisitReason,
} from './case/vocabulary.js';

export { CASE_EVENT_TYPES, CURRENT_SCHEMA_VERSION } from './case/events.js';
export type {
  CaseEvent,
  CaseEventDataMap,
  CaseEventMeta,
  CaseEventType,
  CaseEventWithMeta,
  PublicAccess,
  SlaAlert,
} from './case/events.js';

export { CASE_STATUSES, OPEN_STATUSES, initialState, isOpen } from './case/state.js';
export type {
  CaseAdoption,
  CaseAttachment,
  CaseAnnotation,
  CaseFeedback,
  CaseNote,
  CaseResolution,
  CaseState,
  CaseStatus,
  DeadlineExtension,
  ExistingCase,
  NoCase,
  PendingAnnotation,
} from './case/state.js';

export type {
  AcceptCase,
  AddAttachment,
  AddNote,
  AdoptSuggestion,
  AnnotateCase,
  AssignCase,
  CaseCommand,
  CaseCommandType,
  CaseMoveType,
  CloseCase,
  EscalateCase,
  EscalateOnBreach,
  ExtendDeadline,
  FileCase,
  MergeCase,
  RaiseSlaWarning,
  RecordFeedback,
  RecordSlaBreach,
  RejectCase,
  ReopenCase,
  RequestAnnotation,
  ResolveCase,
  TransferCase,
  WithdrawCase,
} from './case/commands.js';

export { evolve, fold } from './case/evolve.js';
export { decide } from './case/decide.js';
export type { DecideContext } from './case/decide.js';
export {
  ACTION_COMMAND_TYPES,
  CASE_ACTIONS,
  actingRole,
  allowedActions,
  assigneeUnitIds,
  canRead,
  checkPublicFilingUnit,
  eventMetaFor,
  PUBLIC_FILING_LEVELS,
} from './case/permissions.js';
export type { CaseAction } from './case/permissions.js';

export {
  DEFAULT_TIMEZONE,
  DEFAULT_WORKDAYS,
  WorkingCalendar,
  isIsoWeekday,
  isKnownTimeZone,
  isLocalDate,
  isoWeekday,
  localDateTime,
  toMillis,
} from './sla/calendar.js';
export type { CalendarConfig, Duration, Instant } from './sla/calendar.js';
export { CHINA_CALENDAR, CHINA_HOLIDAY_YEARS } from './sla/china-calendar.js';
export type { HolidayArrangement, HolidayYear } from './sla/china-calendar.js';
export {
  DEFAULT_SLA_POLICY,
  ON_BREACH_ACTIONS,
  calendarOf,
  clockDuration,
  defaultOnBreach,
  parseRankingWeights,
  parseSlaPolicy,
  RANKED_RATES,
} from './sla/policy.js';
export type { AdoptionPoints, ClockPolicy, OnBreach, RankedRate, RankingWeights, SlaCalendar, SlaPolicy } from './sla/policy.js';
export {
  CLOCK_STATES,
  NO_CLOCKS,
  caseClocks,
  currentDeadlines,
  evolveClocks,
  foldClocks,
  isOpenRun,
  isOverdue,
  openRun,
  pendingSlaTimers,
  runningClocks,
  withDeadlines,
} from './sla/clocks.js';
export type { CaseClocks, Clock, ClockState, Deadline, RecordedDeadline, SlaTimer } from './sla/clocks.js';
export { extendableClocks, slaCommandRefusal } from './sla/sla-commands.js';
export { ORG_TREE, SLA_POLICY } from './tokens.js';
export { LANGUAGES, describeEvent, isLanguage, label, labelsFor, standalone } from './labels.js';
export type { Labels, Language, Naming } from './labels.js';
export * from './bulletin/index.js';
