/** The shapes of the API's answers (shared/API.md), typed with the domain's own vocabulary. */
import type {
  AdoptionKind,
  AdoptionLevel,
  CaseAction,
  CaseAttachment,
  CaseEventDataMap,
  CaseEventType,
  CaseKind,
  CaseStatus,
  ExistingCase,
  Language,
  OrgLevel,
  ResolutionOutcome,
  Role,
  Satisfaction,
  SlaClock,
} from '#domain';
// Type-only, from the server's own files that import nothing but the domain (the libs' index files
// would bring Node's and the database's types into this browser build).
import type { PublicUser } from '../../../../libs/accounts/src/types.js';
import type { Figures } from '../../../../libs/reporting/src/statistics.js';

export type { CaseAction, CaseAttachment, PublicUser, Role };

/** One wrong field of a refused request, as the API's error `details` name it. */
export interface FieldDetail {
  readonly field: string;
  readonly message: string;
}

/** `GET /api/v1/me`: the logged-in user; `mustChangePassword` after a password reset. */
export type Me = PublicUser & { readonly mustChangePassword?: boolean };

export interface LoginAnswer {
  readonly accessToken: string;
  readonly user: Me;
  /** The password was reset: this token may only change it (or log out). */
  readonly mustChangePassword?: boolean;
}

/** An account as the admin's list and commands show it. */
export type Account = PublicUser & { readonly enabled: boolean };

/** `GET /api/v1/users`: a page of the accounts of the admin's subtree. */
export interface AccountPage {
  readonly items: readonly Account[];
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
}

export type AccountEventType = 'UserCreated' | 'UserUpdated' | 'UserDisabled' | 'UserEnabled' | 'PasswordReset' | 'PasswordChanged';

/** One event of an account's stream (`GET /api/v1/users/{id}/history`); never a password. */
export interface AccountHistoryEvent {
  readonly id: string;
  readonly revision: number;
  readonly type: AccountEventType;
  readonly data: {
    readonly username?: string;
    readonly displayName?: string;
    readonly roles?: readonly Role[];
    readonly unitId?: string;
    readonly reason?: string;
  };
  readonly metadata: { readonly actorId: string; readonly actorRole: string; readonly unitId: string | null; readonly at: string };
}

export interface AccountHistory {
  readonly events: readonly AccountHistoryEvent[];
  readonly nextRevision?: number;
}

export interface Unit {
  readonly id: string;
  readonly name: string;
  readonly level: OrgLevel;
  readonly parentId: string | null;
}

export interface Deadline {
  readonly clock: SlaClock;
  readonly dueAt: string;
  readonly state: 'running' | 'warned' | 'breached' | 'met' | 'stopped';
}

/** A fellow worker as a case names them: its assignee, the coordinators it may be assigned to. */
export interface Colleague {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly unitId: string;
}

/** A case as `GET /api/v1/cases/{id}`, the lists and `/state` show it. */
export type CaseView = Omit<ExistingCase, 'unitsVisited' | 'publicAccess' | 'attachments'> & {
  readonly deadlines: readonly Deadline[];
  /** The files attached to the case, oldest first (`{ attachmentId, sha256, size, mediaType, name, kind, description, actorId, at }`). */
  readonly attachments?: readonly CaseAttachment[];
  /** Filed by a resident through the opinion mailbox. */
  readonly publicFiling?: boolean;
  readonly revision: number;
  readonly unitsVisited?: readonly string[];
  /** The assignee by name (detail and `/state` only, not the lists). */
  readonly assignee?: Colleague | null;
};

export type CaseDetail = CaseView & { readonly allowedActions: readonly CaseAction[] };

export interface CaseList {
  readonly items: readonly CaseView[];
  readonly total: number;
  /** False when a word search matched more cases than it counts: `total` is then a lower bound. */
  readonly totalExact?: boolean;
  readonly page?: number;
  readonly pageSize?: number;
}

export type HistoryEvent = {
  [T in CaseEventType]: {
    readonly revision: number;
    readonly position: number;
    readonly type: T;
    readonly data: CaseEventDataMap[T];
    readonly metadata: { readonly actorId: string; readonly actorRole: string; readonly unitId: string | null; readonly at: string };
    readonly prevHash: string | null;
    readonly hash: string;
  };
}[CaseEventType];

/** `GET /api/v1/cases/{id}/history`: the events, and the people they name (an addition to API.md). */
export interface CaseHistory {
  readonly events: readonly HistoryEvent[];
  /** Where the next page starts, while more follow (getWholeHistory reads them all). */
  readonly nextRevision?: number;
  readonly people: readonly Colleague[];
}

export interface StateAt {
  readonly revision: number;
  readonly at: string;
  readonly state: CaseView;
}

export interface Verification {
  readonly ok: boolean;
  readonly events: number;
  readonly headHash: string | null;
  readonly firstBrokenRevision?: number;
}

/** What a command answers; `position` lets later list reads wait for the write. */
export interface Moved {
  readonly id: string;
  readonly number?: string;
  readonly status: string;
  readonly revision: number;
  readonly position: number;
}

export interface AppNotification {
  readonly id: string;
  /** A case event's type, or BulletinPublished (a notification about a bulletin, not a case). */
  readonly type: CaseEventType | 'BulletinPublished';
  readonly caseId: string | null;
  readonly caseNumber: string | null;
  readonly bulletinId?: string;
  readonly unitId: string;
  /** Chinese. */
  readonly text: string;
  /** The text in each of the console's languages. */
  readonly texts: Readonly<Record<Language, string>>;
  readonly createdAt: string;
  readonly readAt: string | null;
}

export interface NotificationList {
  readonly items: readonly AppNotification[];
  readonly unreadCount: number;
}

/** `GET /api/v1/stats`: API.md § Statistics plus `byMonth`, for the unit and period asked. */
export type Stats = Figures & { readonly unitId: string; readonly from: string; readonly to: string };

/** `POST /api/v1/cases/{id}/attachments` → 201. */
export interface AttachmentAdded {
  readonly attachmentId: string;
  readonly sha256: string;
  readonly size: number;
  readonly mediaType: string;
  readonly name: string;
}

/** A unit a resident may file to (`GET /api/v1/public/units`): a community or a grid, with the names above it. */
export interface PublicUnit {
  readonly id: string;
  readonly name: string;
  readonly level: OrgLevel;
  /** The names from the city down (API.md: `["示范市", "河东区", ...]`). */
  readonly path: readonly string[];
}

/** `POST /api/v1/public/cases` → 201: the access code is shown this once. */
export interface PublicFiled {
  readonly number: string;
  readonly accessCode: string;
  readonly receipt: { readonly hash: string; readonly position: number; readonly filedAt: string };
}

/** `GET /api/v1/public/receipts/{hash}`. */
export interface ReceiptCheck {
  readonly number: string;
  readonly filedAt: string;
  readonly position: number;
  readonly intact: boolean;
}

/** `GET /api/v1/public/cases/{number}?code=`: what a resident may see of their case. */
export interface PublicCase {
  readonly number: string;
  readonly kind: CaseKind;
  readonly title: string;
  readonly status: CaseStatus;
  readonly unit: { readonly name: string; readonly level: OrgLevel };
  readonly filedAt: string;
  readonly dueAt: string | null;
  readonly timeline: readonly { readonly at: string; readonly type: string; readonly text: string }[];
  readonly resolution?: { readonly outcome: ResolutionOutcome; readonly summary: string } | null;
  readonly feedbackOpen: boolean;
}

export type { Satisfaction };

export type BulletinStatus = 'draft' | 'published';

/** One adoption or annotation recorded against a case (with the bulletin it came from, if any). */
export interface Adoption {
  readonly caseId?: string;
  readonly level: AdoptionLevel;
  readonly kind: AdoptionKind;
  readonly body: string;
  readonly note?: string | null;
  readonly bulletinId?: string | null;
  readonly points?: number;
  readonly actorId?: string;
  readonly actorName?: string;
  readonly at?: string;
}

/** A case as a bulletin froze it, with the adoptions recorded from this bulletin. */
export interface BulletinItem {
  readonly caseId: string;
  readonly number: string;
  readonly kind: CaseKind;
  readonly title: string;
  readonly summary?: string | null;
  readonly unitId: string;
  readonly unitName?: string;
  readonly adoptions?: readonly Adoption[];
}

/** `GET /api/v1/bulletins/{id}`. */
export interface Bulletin {
  readonly id: string;
  readonly unitId: string;
  readonly title: string;
  readonly editorNote?: string | null;
  readonly status: BulletinStatus;
  readonly issue?: string | null;
  readonly year?: number | null;
  readonly sequence?: number | null;
  readonly caseIds?: readonly string[];
  readonly items: readonly BulletinItem[];
  readonly createdAt?: string;
  readonly publishedAt?: string | null;
  readonly revision?: number;
}

export type BulletinSummary = Omit<Bulletin, 'items'> & { readonly items?: readonly BulletinItem[]; readonly itemCount?: number };

export interface BulletinList {
  readonly items: readonly BulletinSummary[];
  readonly total: number;
  readonly page?: number;
  readonly pageSize?: number;
}

export interface Published {
  readonly id: string;
  readonly status: 'published';
  readonly issue: string;
  readonly year: number;
  readonly sequence: number;
  readonly position?: number;
}

/** `GET /api/v1/stats/clerks`: the information officers' appraisal (考核). */
export interface ClerkRow {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  readonly unitId: string;
  readonly filed: number;
  readonly accepted: number;
  readonly annotated: number;
  readonly adopted: number;
  readonly adoptions?: number;
  readonly points?: number;
}

export interface Appraisal {
  readonly unitId: string;
  readonly from: string;
  readonly to: string;
  readonly clerks: readonly ClerkRow[];
}

/** `GET /api/v1/stats/units`: the parent's children ranked (排名). */
export interface UnitRankingRow {
  readonly unitId: string;
  readonly name: string;
  readonly filed: number;
  readonly responseRate: number | null;
  readonly resolutionRate: number | null;
  readonly satisfactionRate: number | null;
  readonly onTimeRate: number | null;
  readonly score: number;
  readonly rank: number;
}

export interface UnitRanking {
  readonly parentId: string;
  readonly from: string;
  readonly to: string;
  readonly position: number;
  readonly anchor?: string | null;
  /** The weights the scores were computed with. */
  readonly weights?: Readonly<Record<'responseRate' | 'resolutionRate' | 'satisfactionRate' | 'onTimeRate', number>>;
  readonly units: readonly UnitRankingRow[];
}

/** `GET /api/v1/stats/hotspots`: the period's most frequent terms (热点). */
export interface Hotspot {
  readonly term: string;
  readonly kind: CaseKind;
  readonly unitId: string;
  readonly count: number;
  readonly previousCount: number;
}

export interface Hotspots {
  readonly items: readonly Hotspot[];
}

/** `GET /api/v1/cases/similar`: open cases like the one being typed, most similar first. */
export interface SimilarCase {
  readonly id: string;
  readonly number: string;
  readonly kind: CaseKind;
  readonly title: string;
  readonly status: CaseStatus;
  readonly unitId: string;
  readonly createdAt: string;
  readonly score: number;
}
