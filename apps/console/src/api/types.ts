/** The shapes of the API's answers (shared/API.md), typed with the domain's own vocabulary. */
import type {
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
  readonly type: CaseEventType;
  readonly caseId: string;
  readonly caseNumber: string;
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
