/**
 * The shapes of the API's answers, as the OpenAPI document describes them: every type here names
 * a schema of `openapi.gen.ts`, which `npm run openapi` generates from docs/openapi.json. To change
 * a shape, change the server's response classes and regenerate; nothing here is written twice.
 * The words of the domain (roles, actions) come from `#domain`.
 */
import type { CaseAction, Role, Satisfaction } from '#domain';
import type { components } from './openapi.gen.js';

type Schemas = components['schemas'];

export type { CaseAction, Role, Satisfaction };

/** One wrong field of a refused request, as the API's error `details` name it. */
export type FieldDetail = Schemas['FieldProblem'];

/** `GET /api/v1/me`: the logged-in user; `mustChangePassword` after a password reset. */
export type Me = Schemas['Me'];
export type LoginAnswer = Schemas['LoginAnswer'];
/** An account as the admin's list and commands show it. */
export type Account = Schemas['Account'];
export type AccountPage = Schemas['AccountPage'];
export type AccountHistoryEvent = Schemas['AccountHistoryEvent'];
export type AccountHistory = Schemas['AccountHistory'];

export type Unit = Schemas['Unit'];
export type Deadline = Schemas['Deadline'];
/** A fellow worker as a case names them: its assignee, the coordinators it may be assigned to. */
export type Colleague = Schemas['Colleague'];
export type CaseAttachment = Schemas['CaseAttachment'];

/** A case as the lists and `/state` show it. */
export type CaseView = Schemas['Case'];
/** A case as `GET /api/v1/cases/{id}` shows it: with what this user may do now. */
export type CaseDetail = Schemas['CaseDetail'];
export type CaseList = Schemas['CaseList'];

/** One event of a case's history: the document's union of the event types, told apart by `type`. */
export type HistoryEvent = Schemas['HistoryEvent'];
/** `GET /api/v1/cases/{id}/history`: a page of events, and the people they name. */
export type CaseHistory = Schemas['CaseHistory'];
export type StateAt = Schemas['CaseStateAt'];
export type Verification = Schemas['CaseVerification'];

/** What a command answers (a filing adds the case's number); `position` lets later list reads wait for the write. */
export type Moved = Schemas['CaseMoved'] & Partial<Pick<Schemas['FiledCase'], 'number'>>;

export type AppNotification = Schemas['Notification'];
export type NotificationList = Schemas['NotificationList'];

/** `GET /api/v1/stats`: API.md § Statistics plus `byMonth`, for the unit and period asked. */
export type Stats = Schemas['Statistics'];
export type AttachmentAdded = Schemas['AddedAttachment'];

/** The resident's channel. */
export type PublicUnit = Schemas['PublicUnit'];
export type PublicFiled = Schemas['PublicFiled'];
export type ReceiptCheck = Schemas['ReceiptCheck'];
export type PublicCase = Schemas['PublicCase'];

/** Bulletins (社情民意简报) and adoptions. */
export type Bulletin = Schemas['Bulletin'];
export type BulletinItem = Schemas['BulletinItem'];
export type BulletinSummary = Schemas['BulletinSummary'];
export type BulletinList = Schemas['BulletinList'];
export type Published = Schemas['PublishedBulletin'];
export type Adoption = Schemas['CaseAdoption'];

/** `GET /api/v1/stats/clerks`: the information officers' appraisal (考核). */
export type ClerkRow = Schemas['ClerkAppraisalRow'];
export type Appraisal = Schemas['ClerkAppraisal'];
/** `GET /api/v1/stats/units`: the parent's children ranked (排名). */
export type UnitRankingRow = Schemas['UnitRankingRow'];
export type UnitRanking = Schemas['UnitRanking'];
/** `GET /api/v1/stats/hotspots`: the period's most frequent terms (热点). */
export type Hotspot = Schemas['Hotspot'];
export type Hotspots = Schemas['Hotspots'];
/** `GET /api/v1/cases/similar`: open cases like the one being typed, most similar first. */
export type SimilarCase = Schemas['SimilarCase'];
