/* Generated from docs/openapi.json by `npm run openapi`: do not edit. */
export interface paths {
    readonly "/api/v1/auth/login": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Log in: a bearer token for the other routes */
        readonly post: operations["authLogIn"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/auth/logout": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** End this token’s session */
        readonly post: operations["authLogOut"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/me": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The account behind the token, as it is now */
        readonly get: operations["authMe"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/me/password": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Change one’s own password (every session of the account ends: log in again) */
        readonly post: operations["authChangePassword"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/units": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Every unit of the org tree */
        readonly get: operations["orgUnits"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/users": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The accounts of the admin’s subtree, paged */
        readonly get: operations["usersList"];
        readonly put?: never;
        /** Create an account in the admin’s subtree (`admin` stands alone) */
        readonly post: operations["usersCreate"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/users/{id}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        /** Change an account’s name, roles or unit (roles and unit end its sessions) */
        readonly patch: operations["usersUpdate"];
        readonly trace?: never;
    };
    readonly "/api/v1/users/{id}/disable": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Disable an account: it cannot log in, and its sessions end */
        readonly post: operations["usersDisable"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/users/{id}/enable": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Enable a disabled account */
        readonly post: operations["usersEnable"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/users/{id}/reset-password": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Set a temporary password (shown once); the next login must choose a new one */
        readonly post: operations["usersResetPassword"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/users/{id}/history": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Every event of the account’s hash-chained stream, paged */
        readonly get: operations["usersHistory"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** List cases in scope (filters, paging, substring search); with format=xlsx|csv, every matching case as a spreadsheet (pages ignored) */
        readonly get: operations["casesList"];
        readonly put?: never;
        /** File a case */
        readonly post: operations["casesFile"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/accept": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Accept a filed case for coordination (filed → in_coordination); an optional note is kept as a note */
        readonly post: operations["casesAccept"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/reject": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Reject a filed case (filed → rejected) */
        readonly post: operations["casesReject"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/assign": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Assign the case to a coordinator in scope (in_coordination); 404 for an unknown user */
        readonly post: operations["casesAssign"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/notes": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Add a contact, visit, mediation or other note (any open state); clerks add contact notes only */
        readonly post: operations["casesAddNote"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/transfer": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Transfer the case to a sibling unit (filed, in_coordination → filed at that unit) */
        readonly post: operations["casesTransfer"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/escalate": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Escalate the case to the parent unit (filed, in_coordination → filed there; 409 at the city) */
        readonly post: operations["casesEscalate"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/request-annotation": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Ask a leader to annotate the case (in_coordination → awaiting_annotation) */
        readonly post: operations["casesRequestAnnotation"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/annotate": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Annotate the case (批示), optionally handing it to a unit under supervision (awaiting_annotation → in_coordination) */
        readonly post: operations["casesAnnotate"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/resolve": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Record the case’s resolution (in_coordination → resolved) */
        readonly post: operations["casesResolve"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/feedback": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Record the filer’s satisfaction (resolved → closed, or back to in_coordination when unsatisfied) */
        readonly post: operations["casesFeedback"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/close": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Close a resolved case (resolved → closed) */
        readonly post: operations["casesClose"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/reopen": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Reopen a closed case (closed → in_coordination) */
        readonly post: operations["casesReopen"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/withdraw": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Withdraw the case at the filer’s request (any open state → withdrawn) */
        readonly post: operations["casesWithdraw"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/merge": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Merge the case into another open case (filed, in_coordination → merged) */
        readonly post: operations["casesMerge"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/extend-deadline": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Extend a running SLA deadline by working days (leaders; open states) */
        readonly post: operations["casesExtendDeadline"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The case now, with what this user may do (and, an addition to API.md, who its assignee is) */
        readonly get: operations["casesDetail"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/assignees": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The coordinators this user may assign the case to now, nearest unit first; none when they may not assign it (an addition to API.md) */
        readonly get: operations["casesAssignees"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/history": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** A page of the case’s events (from fromRevision, at most limit: 500), with its hash chain, nextRevision when more follow, and (an addition to API.md) the people the page’s events name */
        readonly get: operations["casesHistory"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/state": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The case as it stood right after a revision, or at a time (its assignee named as they are now) */
        readonly get: operations["casesStateAt"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/verify": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Check the case’s hash chain and stream head, and re-hash its attachments’ files */
        readonly get: operations["casesVerify"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/attachments": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Attach a file (multipart: file, kind?, description?): at most 20 MB, JPEG, PNG, WebP, PDF, MP3, M4A or WAV by content */
        readonly post: operations["attachmentsUpload"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/attachments/{attachmentId}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The bytes of an attachment, to readers of the case (images inline, others as a download); ?thumbnail=1 for a small JPEG of an image */
        readonly get: operations["attachmentsDownload"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/adoptions": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The adoptions recorded on the case, oldest first */
        readonly get: operations["adoptionsList"];
        readonly put?: never;
        /** Record that the opinion was adopted or annotated at a level, optionally from a published bulletin holding the case */
        readonly post: operations["adoptionsAdopt"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/inbox": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Open cases waiting on my unit, assigned to me, or (leaders) awaiting my annotation; with format=xlsx|csv, as a spreadsheet */
        readonly get: operations["inboxList"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/notifications": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** My in-app notifications, newest first, with the number still unread */
        readonly get: operations["notificationsList"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/notifications/read": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Mark my notifications read: the listed ids, or all when `ids` is left out */
        readonly post: operations["notificationsMarkRead"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/admin/dead-letters": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Notification deliveries that failed after every retry, newest first (admin only) */
        readonly get: operations["deadLettersList"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/health": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Whether the event store, the read models and the job queues answer (each check for an admin) */
        readonly get: operations["opsHealth"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/metrics": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The process’s metrics in the Prometheus text format (0.0.4) */
        readonly get: operations["opsMetrics"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/stats": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Cases filed in a unit’s subtree in [from, to): counts, rates, and a month-by-month series; with format=xlsx|csv, as label/value rows */
        readonly get: operations["statsFigures"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/stats/clerks": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Appraisal of the information officers (clerks) in a unit’s subtree: what the cases they filed in [from, to) came to; with format=xlsx|csv, one row per clerk */
        readonly get: operations["statsClerks"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/stats/units": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The parent unit’s children ranked by their weighted rates over cases filed in [from, to), with the log position and anchor they were computed at; with format=xlsx|csv, one row per child */
        readonly get: operations["statsUnitRanking"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/audit/verify": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Check every stream’s hash chain and head row; list the broken streams in scope (auditors and admins) */
        readonly get: operations["auditVerify"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/audit/anchor": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** A digest of every stream’s head at a position of the log, to keep elsewhere and check later (auditors and admins) */
        readonly get: operations["auditAnchor"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/{id}/dossier": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The case’s dossier: the case now, its timeline, notes, annotations, clocks and verification; ?format=html for a printable page */
        readonly get: operations["casesDossier"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/public/units": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The communities and grids a resident may file to, with their paths */
        readonly get: operations["publicUnits"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/public/kinds": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The kinds of case open to the public */
        readonly get: operations["publicKinds"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/public/cases": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** File a case as a resident: answers the case number, a one-time access code and a receipt */
        readonly post: operations["publicFile"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/public/cases/{number}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Follow a case with its number and access code (an unknown number and a wrong code are the same 404) */
        readonly get: operations["publicTrack"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/public/cases/{number}/feedback": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Rate the answer to a resolved case */
        readonly post: operations["publicFeedback"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/public/receipts/{hash}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Check a receipt: the filing with this hash is still in the log as filed, and its stream verifies */
        readonly get: operations["publicReceipt"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/open311/v2/discovery.json": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Open311 service discovery: this endpoint, its specification and formats */
        readonly get: operations["open311DiscoveryJson"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/open311/v2/discovery.xml": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Open311 service discovery in XML */
        readonly get: operations["open311DiscoveryXml"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/open311/v2/services.json": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Open311 service list: the kinds of case open to the public */
        readonly get: operations["open311ServicesJson"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/open311/v2/services.xml": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Open311 service list in XML */
        readonly get: operations["open311ServicesXml"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/open311/v2/services/{resource}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Open311 service definition: the attributes a filing needs (the unit, anonymity, a title) */
        readonly get: operations["open311Definition"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/open311/v2/requests.json": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Open311 service requests: cases residents filed, newest first, at most 1000, without personal data */
        readonly get: operations["open311RequestsJson"];
        readonly put?: never;
        /** Open311 POST service request: files a case like POST /api/v1/public/cases (form fields of the specification; needs api_key) */
        readonly post: operations["open311FileJson"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/open311/v2/requests.xml": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Open311 service requests in XML */
        readonly get: operations["open311RequestsXml"];
        readonly put?: never;
        /** Open311 POST service request, answered in XML */
        readonly post: operations["open311FileXml"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/open311/v2/requests/{resource}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Open311 service request: one case a resident filed, by its number */
        readonly get: operations["open311Request"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/open311/v2/tokens/{resource}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Open311 token: the case number of a filing receipt hash */
        readonly get: operations["open311Token"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/open311/keys": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The api_keys made, revoked ones too, without the keys themselves */
        readonly get: operations["open311KeysList"];
        readonly put?: never;
        /** Make an api_key for an Open311 client: the key is in this answer only */
        readonly post: operations["open311KeysCreate"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/open311/keys/{id}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        readonly post?: never;
        /** Revoke an api_key: filing with it is refused from now on */
        readonly delete: operations["open311KeysRevoke"];
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/bulletins": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Bulletins you may read (those of your unit and the units below it, never of the units above), newest first (unitId means that unit’s subtree); with format=xlsx|csv, all of them as a spreadsheet */
        readonly get: operations["bulletinsList"];
        readonly put?: never;
        /** Draft a bulletin of your unit from cases you may read */
        readonly post: operations["bulletinsDraft"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/bulletins/{id}": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** A bulletin with its items and the adoptions recorded on them, for staff of its unit and the units above (else 404); ?format=html for a printable A4 page, ?lang=en in English */
        readonly get: operations["bulletinsDetail"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        /** Revise a draft: the fields given replace its own (editorNote: null removes the note); 409 once published */
        readonly patch: operations["bulletinsRevise"];
        readonly trace?: never;
    };
    readonly "/api/v1/bulletins/{id}/publish": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly get?: never;
        readonly put?: never;
        /** Publish a draft (coordinators of its unit): numbered per unit and year without gaps, its items frozen, the leaders of the unit and of its parent notified; again: the same answer */
        readonly post: operations["bulletinsPublish"];
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/bulletins/{id}/verify": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Check the bulletin’s hash chain and stream head (its readers: staff of its unit and the units above) */
        readonly get: operations["bulletinsVerify"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/cases/similar": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** Up to 10 open cases in your scope most like a draft (title, description), each with a score in [0, 1] */
        readonly get: operations["casesSimilar"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
    readonly "/api/v1/stats/hotspots": {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        /** The most frequent terms of the cases filed in a unit’s subtree in [from, to), by filing unit and kind, with the count in the period before */
        readonly get: operations["statsHotspots"];
        readonly put?: never;
        readonly post?: never;
        readonly delete?: never;
        readonly options?: never;
        readonly head?: never;
        readonly patch?: never;
        readonly trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        readonly LoginDto: {
            /** @example hd-dg-1.clerk */
            readonly username: string;
            /** @example demo12345 */
            readonly password: string;
        };
        readonly Account: {
            /**
             * Format: uuid
             * @example 0191c2a4-5b6e-7c3d-8e9f-0a1b2c3d4e5f
             */
            readonly id: string;
            /**
             * @description lower case: letters, digits, ".", "_" or "-"
             * @example hd-dg-1.clerk
             */
            readonly username: string;
            /** @example 东关社区信息员 */
            readonly displayName: string;
            /**
             * @description `admin` stands alone
             * @example [
             *       "clerk"
             *     ]
             */
            readonly roles: readonly ("clerk" | "coordinator" | "leader" | "auditor" | "admin")[];
            /**
             * @description the unit the account works at
             * @example hd-dg-1
             */
            readonly unitId: string;
            /** @description false once disabled: it cannot log in */
            readonly enabled: boolean;
        };
        readonly LoginAnswer: {
            /**
             * @description send it as `Authorization: Bearer <accessToken>`
             * @example eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMTkxYzJhNC01YjZlIn0.c2lnbmF0dXJl
             */
            readonly accessToken: string;
            /** @enum {string} */
            readonly tokenType: "Bearer";
            /**
             * @description seconds until the token expires
             * @example 28800
             */
            readonly expiresIn: number;
            /** @description the account logged in */
            readonly user: components["schemas"]["Account"];
            /** @description the password was reset: this token may only change it (`POST /api/v1/me/password`), read `/me` or log out */
            readonly mustChangePassword: boolean;
        };
        readonly Me: {
            /**
             * Format: uuid
             * @example 0191c2a4-5b6e-7c3d-8e9f-0a1b2c3d4e5f
             */
            readonly id: string;
            /**
             * @description lower case: letters, digits, ".", "_" or "-"
             * @example hd-dg-1.clerk
             */
            readonly username: string;
            /** @example 东关社区信息员 */
            readonly displayName: string;
            /**
             * @description `admin` stands alone
             * @example [
             *       "clerk"
             *     ]
             */
            readonly roles: readonly ("clerk" | "coordinator" | "leader" | "auditor" | "admin")[];
            /**
             * @description the unit the account works at
             * @example hd-dg-1
             */
            readonly unitId: string;
            /** @description false once disabled: it cannot log in */
            readonly enabled: boolean;
            /** @description the password was reset: this token may only read `/me`, change the password and log out */
            readonly mustChangePassword: boolean;
        };
        readonly ChangePasswordDto: {
            readonly currentPassword: string;
            /** @description 8-128 characters, not the username, not the demo password */
            readonly newPassword: string;
        };
        readonly Unit: {
            /**
             * @description a stable readable code
             * @example hd-dg-1
             */
            readonly id: string;
            /** @example 东关社区 */
            readonly name: string;
            /**
             * @description from the top down: city, county, town, community, grid
             * @example community
             * @enum {string}
             */
            readonly level: "city" | "county" | "town" | "community" | "grid";
            /**
             * @description the unit above; null for the city at the top
             * @example hd-dg
             */
            readonly parentId: string | null;
        };
        readonly AccountPage: {
            readonly items: readonly components["schemas"]["Account"][];
            /**
             * @description how many accounts match, on every page
             * @example 13
             */
            readonly total: number;
            /** @example 1 */
            readonly page: number;
            /** @example 20 */
            readonly pageSize: number;
        };
        readonly CreateUserDto: {
            readonly roles: readonly ("clerk" | "coordinator" | "leader" | "auditor" | "admin")[];
            /** @example hd-ll-1.clerk */
            readonly username: string;
            /** @example 柳林村信息员 */
            readonly displayName: string;
            /** @description at least 8 characters */
            readonly password: string;
            /** @example hd-ll-1 */
            readonly unitId: string;
        };
        readonly UpdateUserDto: {
            /** @example 柳林村信息员 */
            readonly displayName?: string;
            readonly roles?: readonly ("clerk" | "coordinator" | "leader" | "auditor" | "admin")[];
            /** @example hd-ll-1 */
            readonly unitId?: string;
        };
        readonly DisableUserDto: {
            /** @example 调离岗位 */
            readonly reason: string;
        };
        readonly TemporaryPassword: {
            /**
             * @description hand it to the person: the next login with it must choose a new password
             * @example q3Zt8LmN0xWb4YcR
             */
            readonly temporaryPassword: string;
        };
        readonly AccountEventData: {
            /**
             * Format: uuid
             * @description UserCreated
             */
            readonly userId?: string;
            /**
             * @description UserCreated
             * @example hd-ll-1.clerk
             */
            readonly username?: string;
            /**
             * @description UserCreated; UserUpdated when it changed
             * @example 柳林村信息员
             */
            readonly displayName?: string;
            /**
             * @description UserCreated; UserUpdated when they changed
             * @example [
             *       "clerk"
             *     ]
             */
            readonly roles?: readonly ("clerk" | "coordinator" | "leader" | "auditor" | "admin")[];
            /**
             * @description UserCreated; UserUpdated when it changed
             * @example hd-ll-1
             */
            readonly unitId?: string;
            /**
             * @description UserDisabled
             * @example 调离岗位
             */
            readonly reason?: string;
        };
        readonly AccountEventMetadata: {
            /**
             * @description the acting user’s id, or `system` (start-up, the command line)
             * @example 0191c2a4-5b6e-7c3d-8e9f-0a1b2c3d4e5f
             */
            readonly actorId: string;
            /**
             * @description the role the actor acted in
             * @enum {string}
             */
            readonly actorRole: "clerk" | "coordinator" | "leader" | "auditor" | "admin" | "system";
            /**
             * @description the acting user’s unit; null for the system
             * @example sf
             */
            readonly unitId: string | null;
            /**
             * Format: date-time
             * @description when it was recorded
             */
            readonly at: string;
            /**
             * @description the request (or start-up step) that made the change
             * @example 0191c2a4-9d8e-7f6a-8b5c-4d3e2f1a0b9c
             */
            readonly correlationId: string;
            readonly causationId: string | null;
            /** @description the client’s `X-Request-Id`, when it sent one */
            readonly clientRequestId?: string;
        };
        readonly AccountHistoryEvent: {
            /** Format: uuid */
            readonly id: string;
            /** @description the event’s number in the account’s stream, from 0 */
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /** @enum {string} */
            readonly type: "UserCreated" | "UserUpdated" | "UserDisabled" | "UserEnabled" | "PasswordReset" | "PasswordChanged";
            readonly schemaVersion: number;
            readonly data: components["schemas"]["AccountEventData"];
            readonly metadata: components["schemas"]["AccountEventMetadata"];
            /** @description hex SHA-256 of the stream’s previous event; null for revision 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 of this event, chained to prevHash */
            readonly hash: string;
        };
        readonly AccountHistory: {
            /** @description oldest first */
            readonly events: readonly components["schemas"]["AccountHistoryEvent"][];
            /** @description where the next page starts (`fromRevision`); absent on the last page */
            readonly nextRevision?: number;
        };
        readonly FilerDto: {
            /**
             * @description the filer’s name (may be left out when anonymous)
             * @example 张三
             */
            readonly name: string;
            /**
             * @description shown masked to most readers
             * @example 13812345678
             */
            readonly phone?: string;
            /** @description the filer asked not to be named (default false) */
            readonly anonymous?: boolean;
        };
        readonly PartyDto: {
            /** @example 李四 */
            readonly name: string;
            /**
             * @description the party’s side or relation
             * @example 楼上住户
             */
            readonly role: string;
        };
        readonly LocationDto: {
            /** @example 东关街道幸福小区3号楼 */
            readonly address: string;
            readonly lat?: number;
            readonly lng?: number;
        };
        readonly FileCaseDto: {
            /** @enum {string} */
            readonly kind: "suggestion" | "grievance" | "dispute" | "risk" | "hardship" | "visit";
            /** @example 小区停车位纠纷 */
            readonly title: string;
            /** @example 业主与物业因停车位分配发生争执，请求社区调解。 */
            readonly description: string;
            /** @enum {string} */
            readonly channel: "hotline" | "walk_in" | "mailbox" | "visit" | "web" | "other";
            /**
             * @description the unit where the case is filed (in the filer’s scope)
             * @example hd-dg-1
             */
            readonly unitId: string;
            /**
             * @description default normal
             * @enum {string}
             */
            readonly urgency?: "normal" | "urgent";
            readonly filer: components["schemas"]["FilerDto"];
            /** @description the parties of a dispute */
            readonly parties?: readonly components["schemas"]["PartyDto"][];
            /**
             * @description required for kind visit (六必访)
             * @enum {string}
             */
            readonly visitReason?: "family_conflict" | "hospital" | "bereavement" | "hardship" | "festival" | "important_event";
            /**
             * Format: date-time
             * @description when it happened
             */
            readonly occurredAt?: string;
            readonly location?: components["schemas"]["LocationDto"];
        };
        readonly FiledCase: {
            /**
             * Format: uuid
             * @description the new case’s id
             */
            readonly id: string;
            /**
             * @description the case’s readable number, MY-<year>-<serial>
             * @example MY-2026-000123
             */
            readonly number: string;
            /**
             * @description a new case is filed
             * @enum {string}
             */
            readonly status: "filed";
            /**
             * @description the filing is the case’s event 0
             * @example 0
             */
            readonly revision: number;
            /**
             * @description the global log position of the last event written; pass it as `minPosition` to list queries to read your write
             * @example 1042
             */
            readonly position: number;
        };
        readonly AcceptDto: {
            /** @description the case revision the client last saw */
            readonly expectedRevision?: number;
            readonly note?: string;
        };
        readonly CaseMoved: {
            /** Format: uuid */
            readonly id: string;
            /**
             * @description the case’s status after the command
             * @example in_coordination
             * @enum {string}
             */
            readonly status: "filed" | "in_coordination" | "awaiting_annotation" | "resolved" | "closed" | "rejected" | "withdrawn" | "merged";
            /**
             * @description the case’s events counted from 0: the revision of its last event
             * @example 3
             */
            readonly revision: number;
            /**
             * @description the global log position of the last event written; pass it as `minPosition` to list queries to read your write
             * @example 1042
             */
            readonly position: number;
        };
        readonly ReasonDto: {
            /** @description the case revision the client last saw */
            readonly expectedRevision?: number;
            readonly reason: string;
        };
        readonly AssignDto: {
            /** @description the case revision the client last saw */
            readonly expectedRevision?: number;
            /** @description a coordinator in scope */
            readonly assigneeId: string;
        };
        readonly NoteDto: {
            /** @description the case revision the client last saw */
            readonly expectedRevision?: number;
            /** @enum {string} */
            readonly type: "contact" | "visit" | "mediation" | "note";
            readonly text: string;
        };
        readonly TransferDto: {
            /** @description the case revision the client last saw */
            readonly expectedRevision?: number;
            /** @description a unit at the same level under the same parent */
            readonly toUnitId: string;
            readonly reason: string;
        };
        readonly SummaryDto: {
            /** @description the case revision the client last saw */
            readonly expectedRevision?: number;
            readonly summary: string;
        };
        readonly AnnotateDto: {
            /** @description the case revision the client last saw */
            readonly expectedRevision?: number;
            /** @description the leader’s instruction (批示) */
            readonly instruction: string;
            /** @description hand the case to this unit, under supervision */
            readonly assignToUnitId?: string;
        };
        readonly ResolveDto: {
            /** @description the case revision the client last saw */
            readonly expectedRevision?: number;
            /** @enum {string} */
            readonly outcome: "resolved" | "mediated" | "adopted" | "partially_adopted" | "not_adopted" | "unresolvable";
            readonly summary: string;
        };
        readonly FeedbackDto: {
            /** @description the case revision the client last saw */
            readonly expectedRevision?: number;
            /** @enum {string} */
            readonly satisfaction: "satisfied" | "basically_satisfied" | "unsatisfied";
            readonly comment?: string;
        };
        readonly MergeDto: {
            /** @description the case revision the client last saw */
            readonly expectedRevision?: number;
            /** @description an open case to merge into */
            readonly intoCaseId: string;
        };
        readonly ExtendDeadlineDto: {
            /** @description the case revision the client last saw */
            readonly expectedRevision?: number;
            /** @enum {string} */
            readonly clock: "accept" | "resolve" | "annotate" | "callback";
            readonly workingDays: number;
            readonly reason: string;
        };
        readonly Filer: {
            /**
             * @description the filer’s name; `匿名` when an anonymous filer is withheld from the reader
             * @example 张三
             */
            readonly name: string;
            /**
             * @description whole only to a clerk or coordinator who may act on the case; else masked (`138****5678`); null when none was given or the filer is withheld
             * @example 138****5678
             */
            readonly phone: string | null;
            /** @description the filer asked not to be named */
            readonly anonymous: boolean;
        };
        readonly Party: {
            /** @example 李四 */
            readonly name: string;
            /**
             * @description the party’s side or relation
             * @example 楼上住户
             */
            readonly role: string;
        };
        readonly Location: {
            /** @example 东关街道幸福小区3号楼 */
            readonly address: string;
            /** @example 34.2655 */
            readonly lat?: number;
            /** @example 108.9542 */
            readonly lng?: number;
        };
        readonly Note: {
            /**
             * @description contact, visit, mediation, or a note (an acceptance’s note is one)
             * @enum {string}
             */
            readonly type: "contact" | "visit" | "mediation" | "note";
            /** @example 已电话联系当事人，约定周三上门调解。 */
            readonly text: string;
            /**
             * @description the acting user’s id; `system` for the engine, `public` for a resident
             * @example 0b6c1f2e-8d1a-4c3e-9f4b-2a7d5e6f8a90
             */
            readonly actorId: string;
            /** Format: date-time */
            readonly at: string;
        };
        readonly Annotation: {
            /**
             * @description the leader’s instruction (批示)
             * @example 请东关街道牵头，一周内协调解决并回复群众。
             */
            readonly instruction: string;
            /**
             * @description the unit the case was handed to, under supervision; null when it stayed
             * @example hd-dg-1
             */
            readonly assignToUnitId: string | null;
            /**
             * @description the acting user’s id; `system` for the engine, `public` for a resident
             * @example 0b6c1f2e-8d1a-4c3e-9f4b-2a7d5e6f8a90
             */
            readonly actorId: string;
            /** Format: date-time */
            readonly at: string;
        };
        readonly PendingAnnotation: {
            /**
             * @description what the leader is asked to annotate
             * @example 涉及多个部门，请领导批示。
             */
            readonly summary: string;
            /**
             * @description who asked for it
             * @example 0b6c1f2e-8d1a-4c3e-9f4b-2a7d5e6f8a90
             */
            readonly requestedBy: string;
            /** Format: date-time */
            readonly at: string;
        };
        readonly Deadline: {
            /** @enum {string} */
            readonly clock: "accept" | "resolve" | "annotate" | "callback";
            /**
             * Format: date-time
             * @description when the clock’s latest run is due
             */
            readonly dueAt: string;
            /** @enum {string} */
            readonly state: "running" | "warned" | "breached" | "met" | "stopped";
        };
        readonly CaseResolution: {
            /** @enum {string} */
            readonly outcome: "resolved" | "mediated" | "adopted" | "partially_adopted" | "not_adopted" | "unresolvable";
            /** @example 经社区调解，双方就停车位分配达成一致。 */
            readonly summary: string;
            /** Format: date-time */
            readonly at: string;
        };
        readonly CaseFeedback: {
            /** @enum {string} */
            readonly satisfaction: "satisfied" | "basically_satisfied" | "unsatisfied";
            /** @example 处理及时，很满意。 */
            readonly comment: string | null;
            /** Format: date-time */
            readonly at: string;
            /** @description given by the resident through the public channel, not recorded by staff on a callback */
            readonly selfRated: boolean;
        };
        readonly DeadlineExtension: {
            /** @enum {string} */
            readonly clock: "accept" | "resolve" | "annotate" | "callback";
            /** @example 5 */
            readonly workingDays: number;
            /** @example 需协调多个部门，申请延期。 */
            readonly reason: string;
            /** Format: date-time */
            readonly at: string;
        };
        readonly CaseAttachment: {
            /** Format: uuid */
            readonly attachmentId: string;
            /** @description hex SHA-256 of the stored bytes (image metadata stripped) */
            readonly sha256: string;
            /** @description bytes */
            readonly size: number;
            /**
             * @description read from the content
             * @enum {string}
             */
            readonly mediaType: "image/jpeg" | "image/png" | "image/webp" | "application/pdf" | "audio/mpeg" | "audio/mp4" | "audio/wav";
            /**
             * @description the file name the uploader gave
             * @example 现场照片.jpg
             */
            readonly name: string;
            /** @enum {string} */
            readonly kind: "photo" | "document" | "audio" | "agreement";
            /** @example 楼道堆放杂物现场 */
            readonly description: string | null;
            /**
             * @description the acting user’s id; `system` for the engine, `public` for a resident
             * @example 0b6c1f2e-8d1a-4c3e-9f4b-2a7d5e6f8a90
             */
            readonly actorId: string;
            /** Format: date-time */
            readonly at: string;
        };
        readonly CaseAdoption: {
            /** @enum {string} */
            readonly level: "community" | "town" | "county" | "city" | "province" | "national";
            /**
             * @description adopted (采用) or annotated (批示)
             * @enum {string}
             */
            readonly kind: "adopted" | "annotated";
            /**
             * @description what was adopted, or the leader’s instruction
             * @example 建议在小区增设临时停车位，已被街道采纳。
             */
            readonly body: string;
            /** @example 纳入街道年度实事项目 */
            readonly note: string | null;
            /**
             * Format: uuid
             * @description the bulletin it was adopted from
             */
            readonly bulletinId: string | null;
            /**
             * @description the acting user’s id; `system` for the engine, `public` for a resident
             * @example 0b6c1f2e-8d1a-4c3e-9f4b-2a7d5e6f8a90
             */
            readonly actorId: string;
            /** Format: date-time */
            readonly at: string;
        };
        readonly Colleague: {
            /**
             * Format: uuid
             * @example 0b6c1f2e-8d1a-4c3e-9f4b-2a7d5e6f8a90
             */
            readonly id: string;
            /** @example hd-dg-1.coordinator */
            readonly username: string;
            /** @example 东关社区联络员 */
            readonly displayName: string;
            /**
             * @description the unit they work at
             * @example hd-dg-1
             */
            readonly unitId: string;
        };
        readonly Case: {
            /** Format: uuid */
            readonly id: string;
            /**
             * @description the case’s readable number, MY-<year>-<serial>
             * @example MY-2026-000123
             */
            readonly number: string;
            /** @enum {string} */
            readonly kind: "suggestion" | "grievance" | "dispute" | "risk" | "hardship" | "visit";
            /** @example 小区停车位纠纷 */
            readonly title: string;
            /** @example 业主与物业因停车位分配发生争执，请求社区调解。 */
            readonly description: string;
            /** @enum {string} */
            readonly status: "filed" | "in_coordination" | "awaiting_annotation" | "resolved" | "closed" | "rejected" | "withdrawn" | "merged";
            /**
             * @description the unit the case is at now
             * @example hd-dg-1
             */
            readonly unitId: string;
            /**
             * @description the unit it was filed at
             * @example hd-dg-1
             */
            readonly filedUnitId: string;
            /**
             * Format: uuid
             * @description the coordinator it is assigned to; null when none
             * @example 0b6c1f2e-8d1a-4c3e-9f4b-2a7d5e6f8a90
             */
            readonly assigneeId: string | null;
            /** @enum {string} */
            readonly urgency: "normal" | "urgent";
            /** @enum {string} */
            readonly channel: "hotline" | "walk_in" | "mailbox" | "visit" | "web" | "other";
            readonly filer: components["schemas"]["Filer"];
            /** @description the parties of a dispute */
            readonly parties: readonly components["schemas"]["Party"][];
            /**
             * @description why a visit (六必访) was made; null for other kinds
             * @enum {string|null}
             */
            readonly visitReason: "family_conflict" | "hospital" | "bereavement" | "hardship" | "festival" | "important_event" | null;
            /**
             * Format: date-time
             * @description when it happened, as the filer said
             */
            readonly occurredAt: string | null;
            readonly location: components["schemas"]["Location"] | null;
            /** @description oldest first */
            readonly notes: readonly components["schemas"]["Note"][];
            /** @description leaders’ instructions (批示), oldest first */
            readonly annotations: readonly components["schemas"]["Annotation"][];
            /** @description the request awaiting a leader’s annotation */
            readonly pendingAnnotation: components["schemas"]["PendingAnnotation"] | null;
            /** @description the latest run of each SLA clock, in the order they started */
            readonly deadlines: readonly components["schemas"]["Deadline"][];
            /** @description under supervision (督办): a leader’s annotation handed the case to a unit */
            readonly supervised: boolean;
            /** @description the current resolution; cleared when the case goes back to coordination */
            readonly resolution: components["schemas"]["CaseResolution"] | null;
            /** @description the filer’s ratings, oldest first */
            readonly feedback: readonly components["schemas"]["CaseFeedback"][];
            /**
             * Format: uuid
             * @description the case it was merged into
             */
            readonly mergedIntoCaseId: string | null;
            /** @description leaders’ deadline extensions, oldest first */
            readonly extensions: readonly components["schemas"]["DeadlineExtension"][];
            /** @description the files attached, oldest first */
            readonly attachments: readonly components["schemas"]["CaseAttachment"][];
            /** @description where the opinion was adopted or annotated (采用 / 批示), oldest first */
            readonly adoptions: readonly components["schemas"]["CaseAdoption"][];
            /** @description filed by a resident through the public channel (the opinion mailbox) */
            readonly publicFiling: boolean;
            /**
             * @description every unit the case has been at, in order of arrival
             * @example [
             *       "hd-dg-1",
             *       "hd-dg"
             *     ]
             */
            readonly unitsVisited: readonly string[];
            /**
             * @description the case’s events counted from 0: the revision of its last event
             * @example 3
             */
            readonly revision: number;
            /**
             * Format: date-time
             * @description when it was filed
             */
            readonly createdAt: string;
            /**
             * Format: date-time
             * @description when its last event was recorded
             */
            readonly updatedAt: string;
            /** @description the assignee by name (an addition to API.md); null when none; in `/state` only, not in the lists */
            readonly assignee?: components["schemas"]["Colleague"] | null;
        };
        readonly CaseList: {
            readonly items: readonly components["schemas"]["Case"][];
            /** @description how many cases match; a lower bound when `totalExact` is false */
            readonly total: number;
            /** @description false when a word search matched more cases than it counts */
            readonly totalExact: boolean;
            /** @example 1 */
            readonly page: number;
            /** @example 20 */
            readonly pageSize: number;
        };
        readonly CaseDetail: {
            /** Format: uuid */
            readonly id: string;
            /**
             * @description the case’s readable number, MY-<year>-<serial>
             * @example MY-2026-000123
             */
            readonly number: string;
            /** @enum {string} */
            readonly kind: "suggestion" | "grievance" | "dispute" | "risk" | "hardship" | "visit";
            /** @example 小区停车位纠纷 */
            readonly title: string;
            /** @example 业主与物业因停车位分配发生争执，请求社区调解。 */
            readonly description: string;
            /** @enum {string} */
            readonly status: "filed" | "in_coordination" | "awaiting_annotation" | "resolved" | "closed" | "rejected" | "withdrawn" | "merged";
            /**
             * @description the unit the case is at now
             * @example hd-dg-1
             */
            readonly unitId: string;
            /**
             * @description the unit it was filed at
             * @example hd-dg-1
             */
            readonly filedUnitId: string;
            /**
             * Format: uuid
             * @description the coordinator it is assigned to; null when none
             * @example 0b6c1f2e-8d1a-4c3e-9f4b-2a7d5e6f8a90
             */
            readonly assigneeId: string | null;
            /** @enum {string} */
            readonly urgency: "normal" | "urgent";
            /** @enum {string} */
            readonly channel: "hotline" | "walk_in" | "mailbox" | "visit" | "web" | "other";
            readonly filer: components["schemas"]["Filer"];
            /** @description the parties of a dispute */
            readonly parties: readonly components["schemas"]["Party"][];
            /**
             * @description why a visit (六必访) was made; null for other kinds
             * @enum {string|null}
             */
            readonly visitReason: "family_conflict" | "hospital" | "bereavement" | "hardship" | "festival" | "important_event" | null;
            /**
             * Format: date-time
             * @description when it happened, as the filer said
             */
            readonly occurredAt: string | null;
            readonly location: components["schemas"]["Location"] | null;
            /** @description oldest first */
            readonly notes: readonly components["schemas"]["Note"][];
            /** @description leaders’ instructions (批示), oldest first */
            readonly annotations: readonly components["schemas"]["Annotation"][];
            /** @description the request awaiting a leader’s annotation */
            readonly pendingAnnotation: components["schemas"]["PendingAnnotation"] | null;
            /** @description the latest run of each SLA clock, in the order they started */
            readonly deadlines: readonly components["schemas"]["Deadline"][];
            /** @description under supervision (督办): a leader’s annotation handed the case to a unit */
            readonly supervised: boolean;
            /** @description the current resolution; cleared when the case goes back to coordination */
            readonly resolution: components["schemas"]["CaseResolution"] | null;
            /** @description the filer’s ratings, oldest first */
            readonly feedback: readonly components["schemas"]["CaseFeedback"][];
            /**
             * Format: uuid
             * @description the case it was merged into
             */
            readonly mergedIntoCaseId: string | null;
            /** @description leaders’ deadline extensions, oldest first */
            readonly extensions: readonly components["schemas"]["DeadlineExtension"][];
            /** @description the files attached, oldest first */
            readonly attachments: readonly components["schemas"]["CaseAttachment"][];
            /** @description where the opinion was adopted or annotated (采用 / 批示), oldest first */
            readonly adoptions: readonly components["schemas"]["CaseAdoption"][];
            /** @description filed by a resident through the public channel (the opinion mailbox) */
            readonly publicFiling: boolean;
            /**
             * @description every unit the case has been at, in order of arrival
             * @example [
             *       "hd-dg-1",
             *       "hd-dg"
             *     ]
             */
            readonly unitsVisited: readonly string[];
            /**
             * @description the case’s events counted from 0: the revision of its last event
             * @example 3
             */
            readonly revision: number;
            /**
             * Format: date-time
             * @description when it was filed
             */
            readonly createdAt: string;
            /**
             * Format: date-time
             * @description when its last event was recorded
             */
            readonly updatedAt: string;
            /** @description the assignee by name (an addition to API.md); null when none */
            readonly assignee: components["schemas"]["Colleague"] | null;
            /** @description the actions this user may take on the case now */
            readonly allowedActions: readonly ("accept" | "reject" | "assign" | "notes" | "transfer" | "escalate" | "request-annotation" | "annotate" | "resolve" | "feedback" | "close" | "reopen" | "withdraw" | "merge" | "extend-deadline")[];
        };
        readonly SlaDuration: {
            /** @description working days (one of workingDays, seconds) */
            readonly workingDays?: number;
            /** @description calendar seconds (one of workingDays, seconds) */
            readonly seconds?: number;
        };
        readonly RecordedDeadline: {
            /** @enum {string} */
            readonly clock: "accept" | "resolve" | "annotate" | "callback";
            /** @description the revision of the event that started the run */
            readonly startedAtRevision: number;
            /** @description the run’s length as the policy then set it */
            readonly duration: components["schemas"]["SlaDuration"];
            /** Format: date-time */
            readonly dueAt: string;
            /**
             * Format: date-time
             * @description when the warning is due
             */
            readonly warnAt: string;
            /** @enum {string} */
            readonly onBreach: "escalate" | "notify";
        };
        readonly EventMetadata: {
            /**
             * @description the acting user’s id; `system` for the engine, `public` for a resident
             * @example 0b6c1f2e-8d1a-4c3e-9f4b-2a7d5e6f8a90
             */
            readonly actorId: string;
            /**
             * @description the role the actor acted in
             * @enum {string}
             */
            readonly actorRole: "clerk" | "coordinator" | "leader" | "auditor" | "admin" | "system" | "public";
            /**
             * @description the acting user’s unit; null for the engine and residents
             * @example hd-dg-1
             */
            readonly unitId: string | null;
            /**
             * Format: date-time
             * @description when the event was recorded
             */
            readonly at: string;
            /** @description the request (or job) that caused it, made by the server */
            readonly correlationId: string;
            /** @description the event or job that caused it, when not a request */
            readonly causationId: string | null;
            /** @description the `X-Request-Id` the client sent */
            readonly clientRequestId?: string;
            /** @description the SLA deadlines the event set */
            readonly deadlines?: readonly components["schemas"]["RecordedDeadline"][];
        };
        /** @description The filing as recorded. The filer is shown as the case shows it to this reader (the phone masked, an anonymous filer withheld); a resident’s access-code digest is never shown. */
        readonly CaseFiledData: {
            /**
             * Format: uuid
             * @description the case’s id
             */
            readonly caseId: string;
            /**
             * @description the case’s readable number, MY-<year>-<serial>
             * @example MY-2026-000123
             */
            readonly number: string;
            /** @enum {string} */
            readonly kind: "suggestion" | "grievance" | "dispute" | "risk" | "hardship" | "visit";
            /** @example 小区停车位纠纷 */
            readonly title: string;
            /** @example 业主与物业因停车位分配发生争执，请求社区调解。 */
            readonly description: string;
            /** @enum {string} */
            readonly channel: "hotline" | "walk_in" | "mailbox" | "visit" | "web" | "other";
            /**
             * @description the unit it was filed at
             * @example hd-dg-1
             */
            readonly unitId: string;
            /** @enum {string} */
            readonly urgency: "normal" | "urgent";
            /** @description as the case shows it to this reader */
            readonly filer: components["schemas"]["Filer"];
            /** @description the parties of a dispute */
            readonly parties: readonly components["schemas"]["Party"][];
            /**
             * @description why a visit (六必访) was made; null for other kinds
             * @enum {string|null}
             */
            readonly visitReason: "family_conflict" | "hospital" | "bereavement" | "hardship" | "festival" | "important_event" | null;
            /**
             * Format: date-time
             * @description when it happened, as the filer said
             */
            readonly occurredAt: string | null;
            readonly location: components["schemas"]["Location"] | null;
        };
        /** @description A history entry of type CaseFiled: the envelope every entry has, and its data (CaseFiledData). */
        readonly CaseFiledEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "CaseFiled";
            readonly data: components["schemas"]["CaseFiledData"];
        };
        /** @description The case was accepted for coordination (filed → in_coordination). */
        readonly CaseAcceptedData: {
            /**
             * @description kept on the case as a note of type `note`; null when none was given
             * @example 已受理，交网格员上门核实。
             */
            readonly note: string | null;
        };
        /** @description A history entry of type CaseAccepted: the envelope every entry has, and its data (CaseAcceptedData). */
        readonly CaseAcceptedEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "CaseAccepted";
            readonly data: components["schemas"]["CaseAcceptedData"];
        };
        /** @description The case was rejected (filed → rejected). */
        readonly CaseRejectedData: {
            /** @example 不属于本社区受理范围 */
            readonly reason: string;
        };
        /** @description A history entry of type CaseRejected: the envelope every entry has, and its data (CaseRejectedData). */
        readonly CaseRejectedEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "CaseRejected";
            readonly data: components["schemas"]["CaseRejectedData"];
        };
        /** @description The case was assigned to a coordinator (named in the page’s `people`). */
        readonly CaseAssignedData: {
            /**
             * Format: uuid
             * @description the coordinator
             * @example 0b6c1f2e-8d1a-4c3e-9f4b-2a7d5e6f8a90
             */
            readonly assigneeId: string;
            /**
             * @description the unit the coordinator works at
             * @example hd-dg-1
             */
            readonly assigneeUnitId: string;
        };
        /** @description A history entry of type CaseAssigned: the envelope every entry has, and its data (CaseAssignedData). */
        readonly CaseAssignedEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "CaseAssigned";
            readonly data: components["schemas"]["CaseAssignedData"];
        };
        /** @description A contact, visit, mediation or note was recorded on the case. */
        readonly NoteAddedData: {
            /** @enum {string} */
            readonly noteType: "contact" | "visit" | "mediation" | "note";
            /** @example 已电话联系当事人，约定周三上门调解。 */
            readonly text: string;
        };
        /** @description A history entry of type NoteAdded: the envelope every entry has, and its data (NoteAddedData). */
        readonly NoteAddedEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "NoteAdded";
            readonly data: components["schemas"]["NoteAddedData"];
        };
        /** @description The case was handed to a sibling unit, where it arrives as `filed`. */
        readonly CaseTransferredData: {
            /** @example hd-dg-1-g1 */
            readonly fromUnitId: string;
            /** @example hd-dg-1-g2 */
            readonly toUnitId: string;
            /** @example 属第二网格管辖 */
            readonly reason: string;
        };
        /** @description A history entry of type CaseTransferred: the envelope every entry has, and its data (CaseTransferredData). */
        readonly CaseTransferredEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "CaseTransferred";
            readonly data: components["schemas"]["CaseTransferredData"];
        };
        /** @description The case went up to the parent unit, where it arrives as `filed`. */
        readonly CaseEscalatedData: {
            /** @example hd-dg-1 */
            readonly fromUnitId: string;
            /** @example hd-dg */
            readonly toUnitId: string;
            /**
             * @description the escalating user’s words; for an escalation on an SLA breach (actorId `system`) the engine’s: `<clock> clock breached (due <dueAt>): escalated automatically`
             * @example 涉及多个小区，需街道协调。
             */
            readonly reason: string;
        };
        /** @description A history entry of type CaseEscalated: the envelope every entry has, and its data (CaseEscalatedData). */
        readonly CaseEscalatedEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "CaseEscalated";
            readonly data: components["schemas"]["CaseEscalatedData"];
        };
        /** @description A leader’s annotation (批示) was asked for (→ awaiting_annotation). */
        readonly AnnotationRequestedData: {
            /**
             * @description what the leader is asked to annotate
             * @example 涉及多个部门，请领导批示。
             */
            readonly summary: string;
        };
        /** @description A history entry of type AnnotationRequested: the envelope every entry has, and its data (AnnotationRequestedData). */
        readonly AnnotationRequestedEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "AnnotationRequested";
            readonly data: components["schemas"]["AnnotationRequestedData"];
        };
        /** @description A leader annotated the case (批示) (→ in_coordination), and may have handed it to a unit under supervision (督办). */
        readonly CaseAnnotatedData: {
            /**
             * @description the leader’s instruction
             * @example 请东关街道牵头，一周内协调解决并回复群众。
             */
            readonly instruction: string;
            /**
             * @description the unit the case was handed to, under supervision; null when it stayed
             * @example hd-dg
             */
            readonly assignToUnitId: string | null;
            /**
             * @description the unit the case was at when annotated
             * @example hd-dg-1
             */
            readonly fromUnitId: string;
        };
        /** @description A history entry of type CaseAnnotated: the envelope every entry has, and its data (CaseAnnotatedData). */
        readonly CaseAnnotatedEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "CaseAnnotated";
            readonly data: components["schemas"]["CaseAnnotatedData"];
        };
        /** @description The case was resolved (→ resolved); the filer is called back next. */
        readonly CaseResolvedData: {
            /** @enum {string} */
            readonly outcome: "resolved" | "mediated" | "adopted" | "partially_adopted" | "not_adopted" | "unresolvable";
            /** @example 经社区调解，双方就停车位分配达成一致。 */
            readonly summary: string;
        };
        /** @description A history entry of type CaseResolved: the envelope every entry has, and its data (CaseResolvedData). */
        readonly CaseResolvedEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "CaseResolved";
            readonly data: components["schemas"]["CaseResolvedData"];
        };
        /** @description The filer’s satisfaction: `unsatisfied` sends the case back to in_coordination, any other answer closes it. Given by the resident themself when the event’s actorRole is `public`. */
        readonly FeedbackRecordedData: {
            /** @enum {string} */
            readonly satisfaction: "satisfied" | "basically_satisfied" | "unsatisfied";
            /** @example 处理及时，很满意。 */
            readonly comment: string | null;
        };
        /** @description A history entry of type FeedbackRecorded: the envelope every entry has, and its data (FeedbackRecordedData). */
        readonly FeedbackRecordedEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "FeedbackRecorded";
            readonly data: components["schemas"]["FeedbackRecordedData"];
        };
        /** @description A closed case was reopened (closed → in_coordination). */
        readonly CaseReopenedData: {
            /** @example 问题复发，群众再次反映。 */
            readonly reason: string;
        };
        /** @description A history entry of type CaseReopened: the envelope every entry has, and its data (CaseReopenedData). */
        readonly CaseReopenedEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "CaseReopened";
            readonly data: components["schemas"]["CaseReopenedData"];
        };
        /** @description The case was closed (resolved → closed). */
        readonly CaseClosedData: {
            /** @example 已回访，群众表示满意，结案。 */
            readonly summary: string;
        };
        /** @description A history entry of type CaseClosed: the envelope every entry has, and its data (CaseClosedData). */
        readonly CaseClosedEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "CaseClosed";
            readonly data: components["schemas"]["CaseClosedData"];
        };
        /** @description The case was withdrawn at the filer’s request (→ withdrawn). */
        readonly CaseWithdrawnData: {
            /** @example 当事人已自行协商解决，申请撤回。 */
            readonly reason: string;
        };
        /** @description A history entry of type CaseWithdrawn: the envelope every entry has, and its data (CaseWithdrawnData). */
        readonly CaseWithdrawnEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "CaseWithdrawn";
            readonly data: components["schemas"]["CaseWithdrawnData"];
        };
        /** @description The case was merged into another open case (→ merged). */
        readonly CaseMergedData: {
            /**
             * Format: uuid
             * @description the case it was merged into
             */
            readonly intoCaseId: string;
        };
        /** @description A history entry of type CaseMerged: the envelope every entry has, and its data (CaseMergedData). */
        readonly CaseMergedEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "CaseMerged";
            readonly data: components["schemas"]["CaseMergedData"];
        };
        /** @description A leader extended an SLA clock’s current run. */
        readonly DeadlineExtendedData: {
            /** @enum {string} */
            readonly clock: "accept" | "resolve" | "annotate" | "callback";
            /** @example 5 */
            readonly workingDays: number;
            /** @example 需协调多个部门，申请延期。 */
            readonly reason: string;
        };
        /** @description A history entry of type DeadlineExtended: the envelope every entry has, and its data (DeadlineExtendedData). */
        readonly DeadlineExtendedEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "DeadlineExtended";
            readonly data: components["schemas"]["DeadlineExtendedData"];
        };
        /** @description The engine warned that an SLA clock’s run is soon due. */
        readonly SlaWarningRaisedData: {
            /** @enum {string} */
            readonly clock: "accept" | "resolve" | "annotate" | "callback";
            /**
             * Format: date-time
             * @description when the run is due
             */
            readonly dueAt: string;
            /** @description the revision of the event that started the run */
            readonly startedAtRevision: number;
        };
        /** @description A history entry of type SlaWarningRaised: the envelope every entry has, and its data (SlaWarningRaisedData). */
        readonly SlaWarningRaisedEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "SlaWarningRaised";
            readonly data: components["schemas"]["SlaWarningRaisedData"];
        };
        /** @description An SLA clock’s run passed its due time (the case is overdue). */
        readonly SlaBreachedData: {
            /** @enum {string} */
            readonly clock: "accept" | "resolve" | "annotate" | "callback";
            /**
             * Format: date-time
             * @description when the run is due
             */
            readonly dueAt: string;
            /** @description the revision of the event that started the run */
            readonly startedAtRevision: number;
        };
        /** @description A history entry of type SlaBreached: the envelope every entry has, and its data (SlaBreachedData). */
        readonly SlaBreachedEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "SlaBreached";
            readonly data: components["schemas"]["SlaBreachedData"];
        };
        /** @description A file was attached to the case (with a resident’s filing, in the same append as CaseFiled); its bytes are named by their SHA-256. */
        readonly AttachmentAddedData: {
            /** Format: uuid */
            readonly attachmentId: string;
            /** @description hex SHA-256 of the stored bytes (image metadata stripped) */
            readonly sha256: string;
            /** @description bytes */
            readonly size: number;
            /**
             * @description read from the content
             * @enum {string}
             */
            readonly mediaType: "image/jpeg" | "image/png" | "image/webp" | "application/pdf" | "audio/mpeg" | "audio/mp4" | "audio/wav";
            /**
             * @description the file name the uploader gave
             * @example 现场照片.jpg
             */
            readonly name: string;
            /** @enum {string} */
            readonly kind: "photo" | "document" | "audio" | "agreement";
            /** @example 楼道堆放杂物现场 */
            readonly description: string | null;
        };
        /** @description A history entry of type AttachmentAdded: the envelope every entry has, and its data (AttachmentAddedData). */
        readonly AttachmentAddedEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "AttachmentAdded";
            readonly data: components["schemas"]["AttachmentAddedData"];
        };
        /** @description The opinion was adopted (采用) or annotated (批示) at a level: it earns the filer points in the appraisal. */
        readonly SuggestionAdoptedData: {
            /** @enum {string} */
            readonly level: "community" | "town" | "county" | "city" | "province" | "national";
            /**
             * @description adopted (采用) or annotated (批示)
             * @enum {string}
             */
            readonly kind: "adopted" | "annotated";
            /**
             * @description what was adopted, or the leader’s instruction
             * @example 建议在小区增设临时停车位，已被街道采纳。
             */
            readonly body: string;
            /** @example 纳入街道年度实事项目 */
            readonly note: string | null;
            /**
             * Format: uuid
             * @description the bulletin (简报) it was adopted from
             */
            readonly bulletinId: string | null;
        };
        /** @description A history entry of type SuggestionAdopted: the envelope every entry has, and its data (SuggestionAdoptedData). */
        readonly SuggestionAdoptedEvent: {
            /** Format: uuid */
            readonly id: string;
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * @description the version of the data’s shape; every case event is version 1 today
             * @example 1
             */
            readonly schemaVersion: number;
            readonly metadata: components["schemas"]["EventMetadata"];
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
            /**
             * @description the event’s type, which tells the shape of `data` (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            readonly type: "SuggestionAdopted";
            readonly data: components["schemas"]["SuggestionAdoptedData"];
        };
        readonly CaseHistory: {
            /** @description from fromRevision, at most limit, in order */
            readonly events: readonly components["schemas"]["HistoryEvent"][];
            /** @description where the next page starts; absent on the last page */
            readonly nextRevision?: number;
            /** @description the people the page’s events name (an addition to API.md) */
            readonly people: readonly components["schemas"]["Colleague"][];
        };
        readonly CaseStateAt: {
            /** @description the last event folded */
            readonly revision: number;
            /**
             * Format: date-time
             * @description when that event was recorded
             */
            readonly at: string;
            /** @description the case as it stood then, its assignee named as they are now */
            readonly state: components["schemas"]["Case"];
        };
        readonly CaseFileProblem: {
            /** @enum {string} */
            readonly problem: "attachment";
            /** Format: uuid */
            readonly attachmentId: string;
            /** @description the revision of its AttachmentAdded event */
            readonly revision: number;
            /** @description the SHA-256 recorded */
            readonly sha256: string;
            /** @enum {string} */
            readonly status: "changed" | "missing" | "unreadable";
            /** @example the stored file no longer matches its recorded SHA-256 */
            readonly message: string;
        };
        readonly CaseVerification: {
            /** @description every event, link, the head row and every file check out */
            readonly ok: boolean;
            /** @description events checked */
            readonly events: number;
            /** @description the recomputed hash of the last event that checked out; null if none did */
            readonly headHash: string | null;
            /** @description the first revision missing, altered, not vouched for by the head row, or whose file is broken */
            readonly firstBrokenRevision?: number;
            /**
             * @description what is wrong, in words; `attachment` when a file is
             * @example attachment
             */
            readonly problem?: string;
            /** @description each changed or missing file */
            readonly problems: readonly components["schemas"]["CaseFileProblem"][];
            /** @description attachment files re-hashed */
            readonly files: number;
        };
        /** @description a file stored and recorded on the case as AttachmentAdded */
        readonly AddedAttachment: {
            /**
             * Format: uuid
             * @description the attachment’s id: GET /api/v1/cases/{id}/attachments/{attachmentId} sends its bytes
             */
            readonly attachmentId: string;
            /**
             * @description the SHA-256 of the bytes stored (images after their metadata was stripped), in hex
             * @example 3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b
             */
            readonly sha256: string;
            /**
             * @description bytes stored
             * @example 183204
             */
            readonly size: number;
            /**
             * @description the type read from the content, never from the name or a header
             * @example image/jpeg
             * @enum {string}
             */
            readonly mediaType: "image/jpeg" | "image/png" | "image/webp" | "application/pdf" | "audio/mpeg" | "audio/mp4" | "audio/wav";
            /**
             * @description the file name as sent, without any path or control characters
             * @example 现场照片.jpg
             */
            readonly name: string;
            /**
             * @description the case’s revision after the AttachmentAdded event
             * @example 3
             */
            readonly revision: number;
            /**
             * @description the global log position of the event (minPosition for lists)
             * @example 1843
             */
            readonly position: number;
        };
        readonly AdoptionDto: {
            /** @description the case revision the client last saw */
            readonly expectedRevision?: number;
            /**
             * @description the level that adopted or annotated it; a leader who leaves it out records their own unit’s level
             * @enum {string}
             */
            readonly level?: "community" | "town" | "county" | "city" | "province" | "national";
            /**
             * @description adopted (采用) or annotated (批示)
             * @enum {string}
             */
            readonly kind: "adopted" | "annotated";
            /**
             * @description what was adopted, or the leader’s instruction
             * @example 请区民政局研究落实
             */
            readonly body: string;
            readonly note?: string;
            /** @description the published bulletin (简报) the opinion was reported in: one you may read that holds this case */
            readonly bulletinId?: string;
        };
        readonly AdoptionRecorded: {
            /**
             * Format: uuid
             * @description the case’s id
             */
            readonly id: string;
            /**
             * @description the case’s status, which an adoption does not change
             * @example resolved
             * @enum {string}
             */
            readonly status: "filed" | "in_coordination" | "awaiting_annotation" | "resolved" | "closed" | "rejected" | "withdrawn" | "merged";
            /**
             * @description the revision of the SuggestionAdopted event
             * @example 6
             */
            readonly revision: number;
            /**
             * @description its global log position (minPosition for lists and statistics)
             * @example 1042
             */
            readonly position: number;
            /** @description the adoption as the case now records it */
            readonly adoption: components["schemas"]["CaseAdoption"];
        };
        readonly AdoptionList: {
            /** @description oldest first */
            readonly items: readonly components["schemas"]["CaseAdoption"][];
        };
        readonly Inbox: {
            /** @description the open cases waiting on my unit, assigned to me, or (leaders) awaiting my annotation */
            readonly items: readonly components["schemas"]["Case"][];
            readonly total: number;
        };
        readonly NotificationTexts: {
            /** @example 案件 MY-2026-000042「小区停车位纠纷」已在东关社区登记，请及时受理 */
            readonly "zh-CN": string;
            /** @example Case MY-2026-000042 "小区停车位纠纷" was filed at 东关社区; please accept it */
            readonly en: string;
        };
        readonly NotificationEvent: {
            /** @enum {string} */
            readonly type: "CaseFiled" | "CaseTransferred" | "CaseEscalated" | "AnnotationRequested" | "CaseAnnotated" | "CaseResolved" | "SlaWarningRaised" | "SlaBreached" | "BulletinPublished";
            /** @description the event’s revision in its case’s (or bulletin’s) stream */
            readonly revision: number;
            /** @description the global log position */
            readonly position: number;
            /**
             * Format: date-time
             * @description when the event was recorded
             */
            readonly at: string;
        };
        readonly Notification: {
            /**
             * Format: uuid
             * @description this notification of this user (`before`, `ids`)
             */
            readonly id: string;
            /**
             * Format: uuid
             * @description the same in the webhook and the e-mail of this notification
             */
            readonly deliveryId: string;
            /**
             * @description switch on it: a BulletinPublished notification names a bulletin, not a case
             * @enum {string}
             */
            readonly type: "CaseFiled" | "CaseTransferred" | "CaseEscalated" | "AnnotationRequested" | "CaseAnnotated" | "CaseResolved" | "SlaWarningRaised" | "SlaBreached" | "BulletinPublished";
            /**
             * Format: uuid
             * @description null for BulletinPublished
             */
            readonly caseId: string | null;
            /**
             * @description null for BulletinPublished
             * @example MY-2026-000042
             */
            readonly caseNumber: string | null;
            /**
             * Format: uuid
             * @description only for BulletinPublished: the bulletin published
             */
            readonly bulletinId?: string;
            /**
             * @description the case’s unit after the event (a bulletin’s own unit)
             * @example hd-dg-1
             */
            readonly unitId: string;
            /**
             * @description in Chinese, as texts["zh-CN"]
             * @example 案件 MY-2026-000042「小区停车位纠纷」已在东关社区登记，请及时受理
             */
            readonly text: string;
            readonly texts: components["schemas"]["NotificationTexts"];
            readonly event: components["schemas"]["NotificationEvent"];
            /** Format: date-time */
            readonly createdAt: string;
            /**
             * Format: date-time
             * @description null while unread
             */
            readonly readAt: string | null;
        };
        readonly NotificationList: {
            /** @description newest first */
            readonly items: readonly components["schemas"]["Notification"][];
            /** @description how many of mine are unread */
            readonly unreadCount: number;
        };
        readonly MarkReadDto: {
            /** @description the notifications to mark read; all of mine when left out */
            readonly ids?: readonly string[];
        };
        readonly NotificationsRead: {
            /**
             * @description how many of those were unread and are read now
             * @example 3
             */
            readonly updated: number;
        };
        readonly DeadLetter: {
            /**
             * @description the channel’s queue: in-app, webhook or e-mail
             * @enum {string}
             */
            readonly queue: "notify-in-app" | "notify-webhook" | "notify-email";
            /** @description the job’s id in its queue */
            readonly jobId: string | null;
            /**
             * Format: uuid
             * @description the notification’s delivery id (its event’s id), as the webhook’s `X-Minyi-Delivery`
             */
            readonly deliveryId: string | null;
            /**
             * @description the notification’s type
             * @enum {string|null}
             */
            readonly type: "CaseFiled" | "CaseTransferred" | "CaseEscalated" | "AnnotationRequested" | "CaseAnnotated" | "CaseResolved" | "SlaWarningRaised" | "SlaBreached" | "BulletinPublished" | null;
            /**
             * Format: uuid
             * @description null for a bulletin’s notification
             */
            readonly caseId: string | null;
            /**
             * @description null for a bulletin’s notification
             * @example MY-2026-000042
             */
            readonly caseNumber: string | null;
            /** @description how many times delivery was tried */
            readonly attempts: number;
            /**
             * @description why the last try failed
             * @example webhook https://receiver.example/minyi answered 503
             */
            readonly failedReason: string | null;
            /**
             * Format: date-time
             * @description when the last try failed
             */
            readonly failedAt: string | null;
        };
        readonly DeadLetters: {
            /** @description newest first */
            readonly items: readonly components["schemas"]["DeadLetter"][];
        };
        readonly HealthChecks: {
            /**
             * @description `ok`, or the error the check failed with
             * @example ok
             */
            readonly eventStore: string;
            /**
             * @description `ok`, or the error the check failed with
             * @example ok
             */
            readonly readModels: string;
            /**
             * @description `ok`, or the error the check failed with
             * @example ok
             */
            readonly queues: string;
        };
        readonly Health: {
            /**
             * @description `ok` (200) when every check passes, else `unavailable` (503)
             * @enum {string}
             */
            readonly status: "ok" | "unavailable";
            /** @description only for an admin’s bearer token */
            readonly checks?: components["schemas"]["HealthChecks"];
        };
        readonly CasesByKind: {
            /**
             * @description suggestion (建言献策)
             * @example 12
             */
            readonly suggestion: number;
            /**
             * @description grievance (利益诉求)
             * @example 30
             */
            readonly grievance: number;
            /**
             * @description dispute (矛盾纠纷)
             * @example 8
             */
            readonly dispute: number;
            /**
             * @description risk (问题隐患)
             * @example 2
             */
            readonly risk: number;
            /**
             * @description hardship (困难帮扶)
             * @example 5
             */
            readonly hardship: number;
            /**
             * @description visit (走访)
             * @example 3
             */
            readonly visit: number;
        };
        readonly FiledCounts: {
            /**
             * @description cases filed in the period
             * @example 60
             */
            readonly total: number;
            /** @description the same by kind */
            readonly byKind: components["schemas"]["CasesByKind"];
        };
        readonly MonthFigures: {
            /**
             * @description YYYY-MM in the reporting time zone (Asia/Shanghai by default)
             * @example 2026-11
             */
            readonly month: string;
            /**
             * @description cases filed that month
             * @example 9
             */
            readonly filed: number;
            /**
             * @description of those, cases that reached resolved
             * @example 6
             */
            readonly resolved: number;
            /**
             * @description of those, cases with an annotation
             * @example 1
             */
            readonly annotated: number;
            /** @description cases filed that month by kind */
            readonly byKind: components["schemas"]["CasesByKind"];
        };
        readonly Statistics: {
            /**
             * @description the unit whose subtree is counted
             * @example hd
             */
            readonly unitId: string;
            /**
             * Format: date-time
             * @description start of the period, included, in the reporting time zone
             * @example 2026-01-01T00:00:00+08:00
             */
            readonly from: string;
            /**
             * Format: date-time
             * @description end of the period, excluded, in the reporting time zone
             * @example 2027-01-01T00:00:00+08:00
             */
            readonly to: string;
            readonly filed: components["schemas"]["FiledCounts"];
            /**
             * @description cases that reached resolved
             * @example 41
             */
            readonly resolved: number;
            /**
             * @description disputes that reached resolved
             * @example 6
             */
            readonly disputesResolved: number;
            /**
             * @description cases with at least one annotation
             * @example 4
             */
            readonly annotated: number;
            /**
             * @description accepted within the accept clock / accepted or breached the accept clock; null when out of nothing
             * @example 0.875
             */
            readonly responseRate: number | null;
            /**
             * @description reached resolved / accepted; null when out of nothing
             * @example 0.875
             */
            readonly resolutionRate: number | null;
            /**
             * @description (satisfied + basically satisfied) / with feedback, by each case’s latest feedback; null when out of nothing
             * @example 0.875
             */
            readonly satisfactionRate: number | null;
            /**
             * @description the same over the ratings filers gave themselves through the public channel (their latest each); null when out of nothing
             * @example 0.875
             */
            readonly selfRatedSatisfactionRate: number | null;
            /**
             * @description resolved within the resolve clock / resolved; null when out of nothing
             * @example 0.875
             */
            readonly onTimeRate: number | null;
            /** @description every month of the period, oldest first, zero-filled */
            readonly byMonth: readonly components["schemas"]["MonthFigures"][];
        };
        readonly ClerkAppraisalRow: {
            /**
             * Format: uuid
             * @description the clerk’s user id
             */
            readonly userId: string;
            /** @example hd-dg-1.clerk */
            readonly username: string;
            /** @example 张三 */
            readonly displayName: string;
            /**
             * @description the unit the clerk works at
             * @example hd-dg-1
             */
            readonly unitId: string;
            /**
             * @description cases this clerk filed in the period
             * @example 15
             */
            readonly filed: number;
            /**
             * @description of those, accepted
             * @example 14
             */
            readonly accepted: number;
            /**
             * @description of those, with an annotation
             * @example 2
             */
            readonly annotated: number;
            /**
             * @description of those, suggestions resolved as adopted or partially adopted
             * @example 3
             */
            readonly adopted: number;
            /**
             * @description adoptions (采用 / 批示) recorded in the period on cases this clerk filed, whenever those were filed
             * @example 4
             */
            readonly adoptions: number;
            /**
             * @description those adoptions’ points by the policy file’s adoptionPoints[kind][level]
             * @example 9
             */
            readonly points: number;
        };
        readonly ClerkAppraisal: {
            /**
             * @description the unit whose subtree is counted
             * @example hd
             */
            readonly unitId: string;
            /**
             * Format: date-time
             * @description start of the period, included, in the reporting time zone
             * @example 2026-01-01T00:00:00+08:00
             */
            readonly from: string;
            /**
             * Format: date-time
             * @description end of the period, excluded, in the reporting time zone
             * @example 2027-01-01T00:00:00+08:00
             */
            readonly to: string;
            /** @description one row per clerk in the subtree: most filed first, then by username */
            readonly clerks: readonly components["schemas"]["ClerkAppraisalRow"][];
        };
        readonly RankingWeights: {
            /** @example 0.25 */
            readonly responseRate: number;
            /** @example 0.25 */
            readonly resolutionRate: number;
            /** @example 0.25 */
            readonly satisfactionRate: number;
            /** @example 0.25 */
            readonly onTimeRate: number;
        };
        readonly UnitRankingRow: {
            /** @example hd-dg */
            readonly unitId: string;
            /** @example 东关街道 */
            readonly name: string;
            /**
             * @description cases filed in the unit’s subtree in the period
             * @example 27
             */
            readonly filed: number;
            /**
             * @description as /stats, over the unit’s subtree
             * @example 0.875
             */
            readonly responseRate: number | null;
            /**
             * @description as /stats
             * @example 0.875
             */
            readonly resolutionRate: number | null;
            /**
             * @description as /stats
             * @example 0.875
             */
            readonly satisfactionRate: number | null;
            /**
             * @description as /stats
             * @example 0.875
             */
            readonly onTimeRate: number | null;
            /**
             * @description Σ weight × rate / Σ weights, rounded to 9 decimals; a null rate counts as the mean of that rate over the siblings that have one (0 if none has)
             * @example 0.8125
             */
            readonly score: number;
            /**
             * @description highest score first; equal scores share a rank (1, 1, 3) and are listed by unit id
             * @example 1
             */
            readonly rank: number;
        };
        readonly UnitRanking: {
            /**
             * @description the unit whose children are ranked
             * @example hd
             */
            readonly parentId: string;
            /**
             * Format: date-time
             * @description start of the period, included
             * @example 2026-01-01T00:00:00+08:00
             */
            readonly from: string;
            /**
             * Format: date-time
             * @description end of the period, excluded
             * @example 2027-01-01T00:00:00+08:00
             */
            readonly to: string;
            /**
             * @description the global position of the last event the figures include (0 before the first); pass it as ?position= to compute them again
             * @example 1042
             */
            readonly position: number;
            /** @description the hash of the event at `position` (null at position 0): compare it with that event’s hash later to check the log point */
            readonly anchor: string | null;
            /** @description the weights the scores were computed with */
            readonly weights: components["schemas"]["RankingWeights"];
            /** @description one row per child unit of the parent, by rank */
            readonly units: readonly components["schemas"]["UnitRankingRow"][];
        };
        readonly BrokenStream: {
            /**
             * @description the stream: `case-<id>` for a case, `bulletin-<id>`, `user-<id>`…
             * @example case-3f0a9c2e-5b1d-4e7a-8c6f-2d9e4b7a1c05
             */
            readonly streamId: string;
            /**
             * @description the first revision missing, altered or not vouched for by the head row; for a file, its AttachmentAdded event
             * @example 1
             */
            readonly revision: number;
            /**
             * @description what is wrong, in words; `attachment` for a changed or missing file
             * @example revision 1 was altered: its hash does not match its contents
             */
            readonly problem: string;
            /**
             * Format: uuid
             * @description the case the stream holds; null when it is not a case the read model knows
             */
            readonly caseId: string | null;
            /**
             * @description that case’s number
             * @example MY-2026-000123
             */
            readonly caseNumber: string | null;
            /**
             * Format: uuid
             * @description with `problem: "attachment"`: the attachment whose file is broken
             */
            readonly attachmentId?: string;
            /**
             * @description with `problem: "attachment"`: how the file is broken
             * @enum {string}
             */
            readonly status?: "changed" | "missing" | "unreadable";
            /**
             * @description with `problem: "attachment"`: what is wrong with the file, in words
             * @example the stored file no longer matches its recorded SHA-256
             */
            readonly message?: string;
        };
        readonly StoreVerification: {
            /** @description every stream’s chain and head row, and every attachment’s file, check out (over the whole store, whoever asks) */
            readonly ok: boolean;
            /**
             * @description streams walked: those with events or a head row
             * @example 128
             */
            readonly streams: number;
            /**
             * @description events checked
             * @example 1042
             */
            readonly events: number;
            /**
             * @description attachment files re-hashed
             * @example 17
             */
            readonly files: number;
            /** @description the broken streams the caller may read (a case that has been in their subtree; everything at the root), in stream id order */
            readonly broken: readonly components["schemas"]["BrokenStream"][];
            /**
             * @description how many broken streams are not listed, being outside the caller’s scope
             * @example 0
             */
            readonly brokenOutsideScope: number;
        };
        readonly AuditAnchor: {
            /**
             * @description the global position of the last event covered (0 for an empty log)
             * @example 1042
             */
            readonly position: number;
            /**
             * @description that event’s transaction id (an xid8, as text): the anchor covers every event at or before (commit, position) in log order
             * @example 7781
             */
            readonly commit: string;
            /**
             * @description how many streams had events at that point
             * @example 128
             */
            readonly streams: number;
            /**
             * @description hex SHA-256 over those streams’ last hashes, by stream id: keep it elsewhere, ask again with ?position= later and compare
             * @example 9b2d5f0c1e7a4b3d8c6e2f1a0b9d8c7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c
             */
            readonly digest: string;
        };
        readonly DossierActor: {
            /**
             * @description the acting user’s id; `system` for the engine, `public` for a resident
             * @example 0b6c1f2e-8d1a-4c3e-9f4b-2a7d5e6f8a90
             */
            readonly id: string;
            /**
             * @description who it was, as the report names them: `名字（用户名）`, the system, the resident, or the id when no account has it
             * @example 王协调（hd-dg-1.coordinator）
             */
            readonly name: string;
            /**
             * @description the role they acted in
             * @enum {string}
             */
            readonly role: "clerk" | "coordinator" | "leader" | "auditor" | "admin" | "system" | "public";
            /**
             * @description the role in Chinese
             * @example 协调员
             */
            readonly roleLabel: string;
        };
        readonly DossierUnit: {
            /** @example hd-dg-1 */
            readonly id: string;
            /** @example 东关社区 */
            readonly name: string;
        };
        readonly DossierEvent: {
            /** @example 3 */
            readonly revision: number;
            /**
             * @description the global log position
             * @example 1042
             */
            readonly position: number;
            /**
             * @example NoteAdded
             * @enum {string}
             */
            readonly type: "CaseFiled" | "CaseAccepted" | "CaseRejected" | "CaseAssigned" | "NoteAdded" | "CaseTransferred" | "CaseEscalated" | "AnnotationRequested" | "CaseAnnotated" | "CaseResolved" | "FeedbackRecorded" | "CaseReopened" | "CaseClosed" | "CaseWithdrawn" | "CaseMerged" | "DeadlineExtended" | "SlaWarningRaised" | "SlaBreached" | "AttachmentAdded" | "SuggestionAdopted";
            /**
             * Format: date-time
             * @description when it was recorded
             */
            readonly at: string;
            /**
             * @description the same time in the dossier’s time zone
             * @example 2026-11-02 09:05:00
             */
            readonly localTime: string;
            readonly actor: components["schemas"]["DossierActor"];
            /** @description the acting person’s unit; null for the system and residents */
            readonly unit: components["schemas"]["DossierUnit"] | null;
            /**
             * @description the event in words, with its important fields
             * @example 添加调解记录：组织双方调解
             */
            readonly description: string;
            /** @description the event’s facts, as `GET /cases/{id}/history` shows them (a filing’s filer as in the case) */
            readonly data: {
                readonly [key: string]: unknown;
            };
            /** @description the previous event’s hash; null for event 0 */
            readonly prevHash: string | null;
            /** @description hex SHA-256 over the event and prevHash */
            readonly hash: string;
        };
        readonly DossierNote: {
            /**
             * @description contact, visit, mediation, or a note (an acceptance’s note is one)
             * @enum {string}
             */
            readonly type: "contact" | "visit" | "mediation" | "note";
            /** @example 已电话联系当事人，约定周三上门调解。 */
            readonly text: string;
            /**
             * @description the acting user’s id; `system` for the engine, `public` for a resident
             * @example 0b6c1f2e-8d1a-4c3e-9f4b-2a7d5e6f8a90
             */
            readonly actorId: string;
            /** Format: date-time */
            readonly at: string;
            /**
             * @description who wrote it, named
             * @example 王协调（hd-dg-1.coordinator）
             */
            readonly actorName: string;
        };
        readonly DossierAnnotation: {
            /**
             * @description the leader’s instruction (批示)
             * @example 请东关街道牵头，一周内协调解决并回复群众。
             */
            readonly instruction: string;
            /**
             * @description the unit the case was handed to, under supervision; null when it stayed
             * @example hd-dg-1
             */
            readonly assignToUnitId: string | null;
            /**
             * @description the acting user’s id; `system` for the engine, `public` for a resident
             * @example 0b6c1f2e-8d1a-4c3e-9f4b-2a7d5e6f8a90
             */
            readonly actorId: string;
            /** Format: date-time */
            readonly at: string;
            /**
             * @description the leader, named
             * @example 李领导（hd.leader）
             */
            readonly actorName: string;
            /**
             * @description the name of the unit the case was handed to; null when it stayed
             * @example 东关社区
             */
            readonly assignToUnitName: string | null;
        };
        readonly DossierAttachment: {
            /** Format: uuid */
            readonly attachmentId: string;
            /** @description hex SHA-256 of the stored bytes (image metadata stripped) */
            readonly sha256: string;
            /** @description bytes */
            readonly size: number;
            /**
             * @description read from the content
             * @enum {string}
             */
            readonly mediaType: "image/jpeg" | "image/png" | "image/webp" | "application/pdf" | "audio/mpeg" | "audio/mp4" | "audio/wav";
            /**
             * @description the file name the uploader gave
             * @example 现场照片.jpg
             */
            readonly name: string;
            /** @enum {string} */
            readonly kind: "photo" | "document" | "audio" | "agreement";
            /** @example 楼道堆放杂物现场 */
            readonly description: string | null;
            /**
             * @description the acting user’s id; `system` for the engine, `public` for a resident
             * @example 0b6c1f2e-8d1a-4c3e-9f4b-2a7d5e6f8a90
             */
            readonly actorId: string;
            /** Format: date-time */
            readonly at: string;
            /**
             * @description who attached it, named
             * @example 张三（hd-dg-1.clerk）
             */
            readonly actorName: string;
        };
        readonly SlaClockRun: {
            /** @enum {string} */
            readonly clock: "accept" | "resolve" | "annotate" | "callback";
            /**
             * Format: date-time
             * @description when the event that started the run was recorded
             */
            readonly startedAt: string;
            /**
             * @description that event’s revision: with `clock`, what names the run
             * @example 1
             */
            readonly startedAtRevision: number;
            /** @description the run’s length as the policy set it when it started */
            readonly duration: components["schemas"]["SlaDuration"];
            /**
             * @description working days added by leaders’ extensions
             * @example 0
             */
            readonly extendedWorkingDays: number;
            /** Format: date-time */
            readonly dueAt: string;
            /**
             * Format: date-time
             * @description when the warning is due: the policy’s warnAt fraction of the run
             */
            readonly warnAt: string;
            /** @enum {string} */
            readonly state: "running" | "warned" | "breached" | "met" | "stopped";
            /**
             * Format: date-time
             * @description when the run ended; null while it is open
             */
            readonly stoppedAt: string | null;
            /** @enum {string} */
            readonly onBreach: "escalate" | "notify";
        };
        readonly DossierAuthor: {
            /**
             * Format: uuid
             * @description the account that asked; null for an operator on the command line
             */
            readonly userId: string | null;
            /** @example auditor */
            readonly username: string;
            /** @enum {string} */
            readonly via: "api" | "cli";
        };
        readonly Dossier: {
            /** @description the case as `GET /cases/{id}` shows it to the reader */
            readonly case: components["schemas"]["CaseDetail"];
            /** @description every event, in order */
            readonly timeline: readonly components["schemas"]["DossierEvent"][];
            /** @description the case’s notes, oldest first, their writers named */
            readonly notes: readonly components["schemas"]["DossierNote"][];
            /** @description the leaders’ annotations (批示), oldest first */
            readonly annotations: readonly components["schemas"]["DossierAnnotation"][];
            /** @description the files attached, in the order added, each with its full SHA-256 */
            readonly attachments: readonly components["schemas"]["DossierAttachment"][];
            /** @description the latest run of each SLA clock, as the case shows them */
            readonly deadlines: readonly components["schemas"]["Deadline"][];
            /** @description every run of every SLA clock, in the order they started */
            readonly clocks: readonly components["schemas"]["SlaClockRun"][];
            /** @description the hash chain, head row and files checked, as `GET /cases/{id}/verify` answers */
            readonly verification: components["schemas"]["CaseVerification"];
            /**
             * @description the IANA time zone of the timeline’s local times
             * @example Asia/Shanghai
             */
            readonly timeZone: string;
            /**
             * Format: date-time
             * @description when the dossier was made
             */
            readonly generatedAt: string;
            /** @description who asked for it */
            readonly generatedBy: components["schemas"]["DossierAuthor"];
        };
        readonly PublicFilerDto: {
            /**
             * @description the resident’s name, if they give it
             * @example 王女士
             */
            readonly name?: string;
            /**
             * @description for the callback; never shown on the public routes
             * @example 13812345678
             */
            readonly phone?: string;
            /** @description true: the filing unit alone sees the name and phone */
            readonly anonymous: boolean;
        };
        readonly PublicFilingDto: {
            /**
             * @description one of the kinds open to the public (GET /api/v1/public/kinds)
             * @example suggestion
             * @enum {string}
             */
            readonly kind: "suggestion" | "grievance" | "dispute" | "risk" | "hardship" | "visit";
            /** @example 建议在小区东门增设路灯 */
            readonly title: string;
            /** @example 东门外道路夜间没有照明，老人晚上出行不便，建议增设两盏路灯。 */
            readonly description: string;
            /**
             * @description a community or grid (GET /api/v1/public/units)
             * @example hd-dg-1
             */
            readonly unitId: string;
            readonly filer: components["schemas"]["PublicFilerDto"];
            readonly location?: components["schemas"]["LocationDto"];
            /**
             * Format: date-time
             * @description when it happened
             */
            readonly occurredAt?: string;
        };
        /** @description a community or grid a resident may file to */
        readonly PublicUnit: {
            /**
             * @description the unit’s id: give it as `unitId` when filing
             * @example hd-dg-1
             */
            readonly id: string;
            /** @example 东关社区 */
            readonly name: string;
            /**
             * @example community
             * @enum {string}
             */
            readonly level: "community" | "grid";
            /**
             * @description the names of the units above it, city first, and its own last
             * @example [
             *       "示范市",
             *       "河东区",
             *       "东关街道",
             *       "东关社区"
             *     ]
             */
            readonly path: readonly string[];
        };
        /** @description proof of the filing: check it later with GET /api/v1/public/receipts/{hash} */
        readonly PublicFilingReceipt: {
            /**
             * @description the SHA-256 of the filing’s CaseFiled event, in hex
             * @example 9f2c4e7a1b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8
             */
            readonly hash: string;
            /**
             * @description the filing event’s global log position
             * @example 1842
             */
            readonly position: number;
            /**
             * Format: date-time
             * @description when the case was filed
             * @example 2026-12-04T09:30:00.000Z
             */
            readonly filedAt: string;
        };
        /** @description a resident’s filing, recorded */
        readonly PublicFiled: {
            /**
             * @description the case number
             * @example MY-2026-000123
             */
            readonly number: string;
            /**
             * @description the code the resident follows and rates the case with: shown this once (a retry with the same Idempotency-Key shows it again), kept only as a digest
             * @example K7QM4XPR9TWD
             */
            readonly accessCode: string;
            readonly receipt: components["schemas"]["PublicFilingReceipt"];
        };
        /** @description the unit that holds the case now: its name and level only */
        readonly PublicCaseUnit: {
            /** @example 东关街道 */
            readonly name: string;
            /**
             * @example town
             * @enum {string}
             */
            readonly level: "city" | "county" | "town" | "community" | "grid";
        };
        /** @description a step of the case in the resident’s words: never a name, a note or a reason */
        readonly PublicTimelineEntry: {
            /**
             * Format: date-time
             * @example 2026-12-04T09:30:00.000Z
             */
            readonly at: string;
            /**
             * @description the event the step tells of
             * @example CaseEscalated
             * @enum {string}
             */
            readonly type: "CaseFiled" | "CaseAccepted" | "CaseRejected" | "CaseAssigned" | "CaseTransferred" | "CaseEscalated" | "AnnotationRequested" | "CaseAnnotated" | "CaseResolved" | "FeedbackRecorded" | "CaseReopened" | "CaseClosed" | "CaseWithdrawn" | "CaseMerged" | "DeadlineExtended" | "SuggestionAdopted";
            /**
             * @description the step in the language asked for (zh-CN or en)
             * @example 上报东关街道（街道乡镇级）协调办理
             */
            readonly text: string;
        };
        /** @description the answer the case was resolved with */
        readonly PublicResolution: {
            /**
             * @example adopted
             * @enum {string}
             */
            readonly outcome: "resolved" | "mediated" | "adopted" | "partially_adopted" | "not_adopted" | "unresolvable";
            /** @example 已协调供电部门，本月内安装两盏路灯。 */
            readonly summary: string;
        };
        /** @description a case as its filer follows it with the access code */
        readonly PublicCase: {
            /**
             * @description the case number
             * @example MY-2026-000123
             */
            readonly number: string;
            /**
             * @example suggestion
             * @enum {string}
             */
            readonly kind: "suggestion" | "grievance" | "dispute" | "risk" | "hardship" | "visit";
            /** @example 建议在小区东门增设路灯 */
            readonly title: string;
            /**
             * @example in_coordination
             * @enum {string}
             */
            readonly status: "filed" | "in_coordination" | "awaiting_annotation" | "resolved" | "closed" | "rejected" | "withdrawn" | "merged";
            readonly unit: components["schemas"]["PublicCaseUnit"];
            /**
             * Format: date-time
             * @example 2026-12-04T09:30:00.000Z
             */
            readonly filedAt: string;
            /**
             * Format: date-time
             * @description the running resolve deadline, else the running accept deadline; null when no clock runs
             * @example 2026-12-18T09:00:00+08:00
             */
            readonly dueAt: string | null;
            /** @description the public steps, oldest first */
            readonly timeline: readonly components["schemas"]["PublicTimelineEntry"][];
            /** @description once the case has been resolved */
            readonly resolution?: components["schemas"]["PublicResolution"];
            /** @description true while the case is resolved: the filer may rate the answer now */
            readonly feedbackOpen: boolean;
        };
        readonly PublicFeedbackDto: {
            /** @description the access code given with the case number */
            readonly code: string;
            /** @enum {string} */
            readonly satisfaction: "satisfied" | "basically_satisfied" | "unsatisfied";
            /** @example 问题已解决，谢谢社区。 */
            readonly comment?: string;
        };
        /** @description the rating, recorded */
        readonly PublicFeedbackRecorded: {
            /**
             * @description the case number
             * @example MY-2026-000123
             */
            readonly number: string;
            /**
             * @description closed after a (basically) satisfied rating; in_coordination after an unsatisfied one, to be worked on again
             * @example closed
             * @enum {string}
             */
            readonly status: "filed" | "in_coordination" | "awaiting_annotation" | "resolved" | "closed" | "rejected" | "withdrawn" | "merged";
        };
        /** @description what a filing receipt proves now */
        readonly ReceiptCheck: {
            /**
             * @description the case number
             * @example MY-2026-000123
             */
            readonly number: string;
            /**
             * Format: date-time
             * @example 2026-12-04T09:30:00.000Z
             */
            readonly filedAt: string;
            /**
             * @description the filing event’s global log position
             * @example 1842
             */
            readonly position: number;
            /** @description the filing event is still in the log with this hash, and its case’s hash chain verifies */
            readonly intact: boolean;
        };
        /** @description one endpoint of the discovery document */
        readonly Open311Endpoint: {
            /** @example http://wiki.open311.org/GeoReport_v2 */
            readonly specification: string;
            /**
             * @description the base URL of this endpoint, as the request reached it
             * @example https://minyi.example.cn/open311/v2
             */
            readonly url: string;
            /**
             * Format: date-time
             * @example 2026-12-04T00:00:00Z
             */
            readonly changeset: string;
            /** @enum {string} */
            readonly type: "production";
            /**
             * @example [
             *       "text/xml",
             *       "application/json"
             *     ]
             */
            readonly formats: readonly string[];
        };
        /** @description service discovery: this endpoint, its specification and formats (XML root `discovery`) */
        readonly Open311Discovery: {
            /**
             * Format: date-time
             * @description when the discovery document or the service definitions last changed in their shape
             * @example 2026-12-04T00:00:00Z
             */
            readonly changeset: string;
            /** @example 请联系本平台管理员 */
            readonly contact: string;
            /**
             * @description how a client gets an api_key
             * @example 提交服务请求所需的 api_key 由本平台管理员创建（POST /api/v1/open311/keys）
             */
            readonly key_service: string;
            readonly endpoints: readonly components["schemas"]["Open311Endpoint"][];
        };
        /** @description a service: a kind of case open to the public (XML: `<services><service>…`) */
        readonly Open311Service: {
            /**
             * @description the kind of case: one of the kinds open to the public
             * @example risk
             * @enum {string}
             */
            readonly service_code: "suggestion" | "grievance" | "dispute" | "risk" | "hardship" | "visit";
            /**
             * @description the kind’s Chinese name
             * @example 问题隐患
             */
            readonly service_name: string;
            /** @example 报告安全隐患、设施损坏、环境卫生等问题 */
            readonly description: string;
            /** @description always true: GET services/{service_code} lists the attributes a filing needs */
            readonly metadata: boolean;
            /**
             * @description realtime: POST requests answers the case number at once
             * @enum {string}
             */
            readonly type: "realtime";
            /**
             * @description comma-separated
             * @example 隐患,安全,设施,环境
             */
            readonly keywords: string;
            /** @example 问题隐患 */
            readonly group: string;
        };
        /** @description one value a singlevaluelist attribute takes */
        readonly Open311AttributeValue: {
            /**
             * @description what to send
             * @example hd-dg-1
             */
            readonly key: string;
            /**
             * @description what to show
             * @example 示范市 / 河东区 / 东关街道 / 东关社区
             */
            readonly name: string;
        };
        /** @description a field a filing of this service takes, posted as attribute[code] */
        readonly Open311Attribute: {
            /** @description always true: the client asks the resident for it */
            readonly variable: boolean;
            /**
             * @example unit
             * @enum {string}
             */
            readonly code: "unit" | "anonymous" | "title";
            /**
             * @example singlevaluelist
             * @enum {string}
             */
            readonly datatype: "string" | "singlevaluelist";
            /** @example true */
            readonly required: boolean;
            /** @example null */
            readonly datatype_description: string | null;
            /**
             * @description the order to ask in
             * @example 1
             */
            readonly order: number;
            /** @example 反映事项所在的社区或网格 */
            readonly description: string;
            /** @description for a singlevaluelist: the values it takes */
            readonly values?: readonly components["schemas"]["Open311AttributeValue"][];
        };
        /** @description the attributes a filing of a service takes (XML root `service_definition`) */
        readonly Open311ServiceDefinition: {
            /**
             * @description the kind of case: one of the kinds open to the public
             * @example risk
             * @enum {string}
             */
            readonly service_code: "suggestion" | "grievance" | "dispute" | "risk" | "hardship" | "visit";
            readonly attributes: readonly components["schemas"]["Open311Attribute"][];
        };
        /** @description a service request: a case a resident filed, without personal data, address or coordinates (XML: `<service_requests><request>…`) */
        readonly Open311Request: {
            /**
             * @description the case number
             * @example MY-2026-000123
             */
            readonly service_request_id: string;
            /**
             * @description closed once the case is closed, rejected, withdrawn or merged
             * @enum {string}
             */
            readonly status: "open" | "closed";
            /**
             * @description the latest public step, in Chinese
             * @example 已受理，正在协调办理
             */
            readonly status_notes: string | null;
            /** @example 建言献策 */
            readonly service_name: string;
            /**
             * @description the kind of case: one of the kinds open to the public
             * @example risk
             * @enum {string}
             */
            readonly service_code: "suggestion" | "grievance" | "dispute" | "risk" | "hardship" | "visit";
            /**
             * @description always null: a resident’s own words are not published
             * @example null
             */
            readonly description: string | null;
            /**
             * @description the name of the unit that holds the case now
             * @example 东关社区
             */
            readonly agency_responsible: string | null;
            /**
             * @description always null here
             * @example null
             */
            readonly service_notice: string | null;
            /**
             * Format: date-time
             * @description a W3C datetime in UTC, whole seconds
             * @example 2026-12-04T09:30:00Z
             */
            readonly requested_datetime: string;
            /**
             * Format: date-time
             * @description a W3C datetime in UTC, whole seconds
             * @example 2026-12-05T10:12:45Z
             */
            readonly updated_datetime: string;
            /**
             * Format: date-time
             * @description the running resolve deadline, else the running accept deadline; null when no clock runs
             * @example 2026-12-18T10:00:00Z
             */
            readonly expected_datetime: string | null;
        };
        /** @description the case a filing receipt hash belongs to (XML: `<service_requests><request>…`) */
        readonly Open311Token: {
            /**
             * @description the case number
             * @example MY-2026-000123
             */
            readonly service_request_id: string;
            /**
             * @description the receipt hash asked about
             * @example 9f2c4e7a1b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8
             */
            readonly token: string;
        };
        /** @description with extensions=true */
        readonly Open311ExtendedAttributes: {
            /**
             * @description the access code the resident follows and rates the case with (GET /api/v1/public/cases/{number})
             * @example K7QM4XPR9TWD
             */
            readonly access_code: string;
        };
        /** @description a service request filed (XML: `<service_requests><request>…`) */
        readonly Open311Created: {
            /**
             * @description the case number
             * @example MY-2026-000123
             */
            readonly service_request_id: string;
            /** @example 已提交至东关社区，可凭编号 MY-2026-000123 查询办理进度 */
            readonly service_notice: string;
            /**
             * @description always null: residents have no accounts here
             * @example null
             */
            readonly account_id: string | null;
            /** @description only when the form asked with extensions=true */
            readonly extended_attributes?: components["schemas"]["Open311ExtendedAttributes"];
        };
        /** @description one error of the specification’s list (XML: `<errors><error>…`) */
        readonly Open311Error: {
            /**
             * @description the HTTP status
             * @example 400
             */
            readonly code: number;
            /**
             * @description what is wrong: a field’s errors name it first (`phone: must be a phone number`)
             * @example phone: must be a phone number (digits, spaces, dashes, an optional leading +)
             */
            readonly description: string;
        };
        readonly CreateOpen311KeyDto: {
            /**
             * @description the client app the key is for
             * @example 城市服务小程序
             */
            readonly name: string;
        };
        /** @description a new api_key: the key is in this answer only (only its SHA-256 is kept) */
        readonly Open311KeyCreated: {
            /**
             * Format: uuid
             * @description the key’s id, to revoke it with
             */
            readonly id: string;
            /**
             * @description the client app the key is for
             * @example 城市服务小程序
             */
            readonly name: string;
            /**
             * @description give it to the client app: it posts it as the form field api_key
             * @example o311_Qm9vdHN0cmFwcGVkS2V5Rm9yVGhlQ2l0eVNlcnZpY2U
             */
            readonly apiKey: string;
            /**
             * Format: date-time
             * @example 2026-12-04T09:30:00.000Z
             */
            readonly createdAt: string;
        };
        /** @description an api_key as listed: never the key itself */
        readonly Open311Key: {
            /** Format: uuid */
            readonly id: string;
            /**
             * @description the client app the key is for
             * @example 城市服务小程序
             */
            readonly name: string;
            /**
             * Format: uuid
             * @description the admin who made it
             */
            readonly createdBy: string;
            /**
             * Format: date-time
             * @example 2026-12-04T09:30:00.000Z
             */
            readonly createdAt: string;
            /**
             * Format: date-time
             * @description when it was revoked; null while it files
             * @example null
             */
            readonly revokedAt: string | null;
        };
        readonly DraftBulletinDto: {
            /**
             * @description your own unit: its coordinators write its bulletins
             * @example hd-dg
             */
            readonly unitId: string;
            /** @example 东关街道社情民意 */
            readonly title: string;
            /** @description the cases, in print order; each readable by you, each once */
            readonly caseIds: readonly string[];
            /** @description the editor’s note (编者按) */
            readonly editorNote?: string;
        };
        readonly BulletinDraftSaved: {
            /**
             * Format: uuid
             * @description the bulletin’s id
             */
            readonly id: string;
            /**
             * @description the bulletin stream’s revision: its events counted from 0
             * @example 2
             */
            readonly revision: number;
            /**
             * @description the global log position of its last event (minPosition for lists)
             * @example 1042
             */
            readonly position: number;
            /**
             * @description a bulletin is a draft until published
             * @enum {string}
             */
            readonly status: "draft";
        };
        readonly ReviseBulletinDto: {
            /** @description the case revision the client last saw */
            readonly expectedRevision?: number;
            readonly title?: string;
            /** @description the cases, in print order; each readable by you, each once */
            readonly caseIds?: readonly string[];
            /** @description null removes the note */
            readonly editorNote?: string;
        };
        readonly PublishedBulletin: {
            /**
             * Format: uuid
             * @description the bulletin’s id
             */
            readonly id: string;
            /**
             * @description the bulletin stream’s revision: its events counted from 0
             * @example 2
             */
            readonly revision: number;
            /**
             * @description the global log position of its last event (minPosition for lists)
             * @example 1042
             */
            readonly position: number;
            /** @enum {string} */
            readonly status: "published";
            /**
             * @description the issue as printed
             * @example 2026年第3期
             */
            readonly issue: string;
            /**
             * @description the year of publication (Asia/Shanghai)
             * @example 2026
             */
            readonly year: number;
            /**
             * @description numbered per unit and calendar year (Asia/Shanghai), without gaps
             * @example 3
             */
            readonly sequence: number;
        };
        readonly BulletinSummary: {
            /**
             * Format: uuid
             * @description the bulletin’s id
             */
            readonly id: string;
            /**
             * @description the unit whose bulletin it is (its coordinators write it)
             * @example hd-dg
             */
            readonly unitId: string;
            /** @example 东关街道 */
            readonly unitName: string;
            /** @example 东关街道社情民意（2026年第3期） */
            readonly title: string;
            /** @enum {string} */
            readonly status: "draft" | "published";
            /**
             * @description the year of publication (Asia/Shanghai); null for a draft
             * @example 2026
             */
            readonly year: number | null;
            /**
             * @description its number among the unit’s bulletins of that year, without gaps; null for a draft
             * @example 3
             */
            readonly sequence: number | null;
            /**
             * @description the issue as printed (`2026年第3期`); null for a draft
             * @example 2026年第3期
             */
            readonly issue: string | null;
            /**
             * @description how many cases it holds
             * @example 5
             */
            readonly itemCount: number;
            /**
             * @description the editor’s note (编者按); null when none
             * @example 本期汇总辖区群众关于停车难问题的意见建议，供领导参阅。
             */
            readonly editorNote: string | null;
            /**
             * Format: uuid
             * @description the coordinator who drafted it
             */
            readonly createdBy: string;
            /** Format: date-time */
            readonly createdAt: string;
            /**
             * Format: date-time
             * @description when its last event was recorded
             */
            readonly updatedAt: string;
            /** @description the coordinator who published it (`system` when the engine completed a publication cut short); null for a draft */
            readonly publishedBy: string | null;
            /**
             * Format: date-time
             * @description null for a draft
             */
            readonly publishedAt: string | null;
            /**
             * @description the bulletin stream’s revision: its events counted from 0
             * @example 2
             */
            readonly revision: number;
            /**
             * @description the global log position of its last event (minPosition for lists)
             * @example 1042
             */
            readonly position: number;
        };
        readonly BulletinList: {
            readonly items: readonly components["schemas"]["BulletinSummary"][];
            /**
             * @description how many bulletins match
             * @example 12
             */
            readonly total: number;
            /** @example 1 */
            readonly page: number;
            /** @example 20 */
            readonly pageSize: number;
        };
        readonly BulletinItem: {
            /**
             * @description 1, 2, 3… as printed
             * @example 1
             */
            readonly position: number;
            /** Format: uuid */
            readonly caseId: string;
            /**
             * @description the case’s readable number
             * @example MY-2026-000123
             */
            readonly number: string;
            /** @enum {string} */
            readonly kind: "suggestion" | "grievance" | "dispute" | "risk" | "hardship" | "visit";
            /**
             * @description the kind in the page’s language
             * @example 建言献策
             */
            readonly kindLabel: string;
            /** @example 小区停车位紧张的建议 */
            readonly title: string;
            /**
             * @description the case’s resolution summary when it had one, else its description, cut to 300 characters
             * @example 建议利用小区周边空地增设临时停车位，缓解夜间停车难。
             */
            readonly summary: string;
            /**
             * @description the unit that held the case
             * @example hd-dg-1
             */
            readonly unitId: string;
            /**
             * @description that unit’s name then
             * @example 东关社区
             */
            readonly unitName: string;
            /** @description the adoptions (采用 / 批示) recorded on the case with this bulletin’s id, oldest first */
            readonly adoptions: readonly components["schemas"]["CaseAdoption"][];
        };
        readonly Bulletin: {
            /**
             * Format: uuid
             * @description the bulletin’s id
             */
            readonly id: string;
            /**
             * @description the unit whose bulletin it is (its coordinators write it)
             * @example hd-dg
             */
            readonly unitId: string;
            /** @example 东关街道 */
            readonly unitName: string;
            /** @example 东关街道社情民意（2026年第3期） */
            readonly title: string;
            /** @enum {string} */
            readonly status: "draft" | "published";
            /**
             * @description the editor’s note (编者按); null when none
             * @example 本期汇总辖区群众关于停车难问题的意见建议，供领导参阅。
             */
            readonly editorNote: string | null;
            /** @description its cases, in print order */
            readonly caseIds: readonly string[];
            /**
             * @description the year of publication (Asia/Shanghai); null for a draft
             * @example 2026
             */
            readonly year: number | null;
            /**
             * @description its number among the unit’s bulletins of that year, without gaps; null for a draft
             * @example 3
             */
            readonly sequence: number | null;
            /**
             * @description the issue as printed (`2026年第3期`; with lang=en `No. 3 of 2026`); null for a draft
             * @example 2026年第3期
             */
            readonly issue: string | null;
            /** Format: date-time */
            readonly createdAt: string;
            /**
             * Format: uuid
             * @description the coordinator who drafted it
             */
            readonly createdBy: string;
            /**
             * Format: date-time
             * @description when its last event was recorded
             */
            readonly updatedAt: string;
            /**
             * Format: date-time
             * @description null for a draft
             */
            readonly publishedAt: string | null;
            /** @description the coordinator who published it (`system` when the engine completed a publication cut short); null for a draft */
            readonly publishedBy: string | null;
            /**
             * @description the bulletin stream’s revision: its events counted from 0
             * @example 2
             */
            readonly revision: number;
            /** @description frozen at publication; a draft’s show its cases as they stand now */
            readonly items: readonly components["schemas"]["BulletinItem"][];
        };
        readonly StreamVerification: {
            /** @description every event, every link and the head row check out */
            readonly ok: boolean;
            /**
             * @description how many events were checked
             * @example 3
             */
            readonly events: number;
            /** @description the recomputed hash of the last event that checked out; null if none did */
            readonly headHash: string | null;
            /** @description when not ok: the first revision missing, altered or not vouched for by the head row */
            readonly firstBrokenRevision?: number;
            /**
             * @description when not ok: what is wrong, in words
             * @example revision 1 was altered: its hash does not match its contents
             */
            readonly problem?: string;
        };
        readonly SimilarCase: {
            /** Format: uuid */
            readonly id: string;
            /**
             * @description the case’s readable number
             * @example MY-2026-000123
             */
            readonly number: string;
            /** @enum {string} */
            readonly kind: "suggestion" | "grievance" | "dispute" | "risk" | "hardship" | "visit";
            /** @example 小区停车位纠纷 */
            readonly title: string;
            /**
             * @description only open cases are offered
             * @enum {string}
             */
            readonly status: "filed" | "in_coordination" | "awaiting_annotation" | "resolved";
            /**
             * @description the unit the case is at now
             * @example hd-dg-1
             */
            readonly unitId: string;
            /**
             * Format: date-time
             * @description when it was filed
             */
            readonly createdAt: string;
            /**
             * @description how alike: the mean of the title’s and the whole text’s word overlap with the draft
             * @example 0.82
             */
            readonly score: number;
        };
        readonly SimilarCases: {
            /** @description up to 10 open cases, most similar first */
            readonly items: readonly components["schemas"]["SimilarCase"][];
        };
        readonly Hotspot: {
            /**
             * @description a word of the cases’ titles and descriptions (segmented Chinese)
             * @example 停车位
             */
            readonly term: string;
            /** @enum {string} */
            readonly kind: "suggestion" | "grievance" | "dispute" | "risk" | "hardship" | "visit";
            /**
             * @description the unit the cases were filed at (a grid or community; a unit higher up for the cases filed there)
             * @example hd-dg-1-g1
             */
            readonly unitId: string;
            /**
             * @description cases filed in the period (counted in whole local days) whose title or description uses the term
             * @example 7
             */
            readonly count: number;
            /**
             * @description the same in the period of as many days just before
             * @example 2
             */
            readonly previousCount: number;
        };
        readonly Hotspots: {
            /** @description most cases first, at most `limit` */
            readonly items: readonly components["schemas"]["Hotspot"][];
        };
        /** @description One entry of a case’s history: the envelope every entry has, and the data of its `type`. */
        readonly HistoryEvent: components["schemas"]["CaseFiledEvent"] | components["schemas"]["CaseAcceptedEvent"] | components["schemas"]["CaseRejectedEvent"] | components["schemas"]["CaseAssignedEvent"] | components["schemas"]["NoteAddedEvent"] | components["schemas"]["CaseTransferredEvent"] | components["schemas"]["CaseEscalatedEvent"] | components["schemas"]["AnnotationRequestedEvent"] | components["schemas"]["CaseAnnotatedEvent"] | components["schemas"]["CaseResolvedEvent"] | components["schemas"]["FeedbackRecordedEvent"] | components["schemas"]["CaseReopenedEvent"] | components["schemas"]["CaseClosedEvent"] | components["schemas"]["CaseWithdrawnEvent"] | components["schemas"]["CaseMergedEvent"] | components["schemas"]["DeadlineExtendedEvent"] | components["schemas"]["SlaWarningRaisedEvent"] | components["schemas"]["SlaBreachedEvent"] | components["schemas"]["AttachmentAddedEvent"] | components["schemas"]["SuggestionAdoptedEvent"];
        readonly FieldProblem: {
            /**
             * @description the field’s path, e.g. `filer.phone`
             * @example title
             */
            readonly field: string;
            /** @example must be 1-200 characters */
            readonly message: string;
        };
        readonly ErrorBody: {
            /** @example 409 */
            readonly statusCode: number;
            /**
             * @description the HTTP reason phrase
             * @example Conflict
             */
            readonly error: string;
            /**
             * @description what went wrong, in words
             * @example the case has changed: it is at revision 3, not 2; reload it
             */
            readonly message: string;
            /**
             * @description a stable code to switch on; each answer lists the ones it may carry
             * @example revision_conflict
             */
            readonly code?: string;
            /** @description the fields at fault: with 400 every wrong one; some 404s and 413s name the field too */
            readonly details?: readonly components["schemas"]["FieldProblem"][];
            /**
             * @description with `revision_conflict`: the revision the record is at
             * @example 3
             */
            readonly currentRevision?: number | null;
        };
    };
    responses: {
        /** @description a field is missing, invalid or unknown: `details` names each one */
        readonly Invalid: {
            headers: {
                readonly [name: string]: unknown;
            };
            content: {
                readonly "application/json": components["schemas"]["ErrorBody"] & {
                    /** @enum {integer} */
                    readonly statusCode?: 400;
                    readonly code?: unknown;
                };
            };
        };
        /** @description a field is missing, invalid or unknown: `details` names each one (code `malformed_json`) */
        readonly InvalidJson: {
            headers: {
                readonly [name: string]: unknown;
            };
            content: {
                readonly "application/json": components["schemas"]["ErrorBody"] & {
                    /** @enum {integer} */
                    readonly statusCode?: 400;
                    /** @enum {string} */
                    readonly code?: "malformed_json";
                };
            };
        };
        /** @description no token, or a bad, expired or revoked one (code `invalid_token`, `session_revoked`) */
        readonly Unauthorized: {
            headers: {
                readonly [name: string]: unknown;
            };
            content: {
                readonly "application/json": components["schemas"]["ErrorBody"] & {
                    /** @enum {integer} */
                    readonly statusCode?: 401;
                    /** @enum {string} */
                    readonly code?: "invalid_token" | "session_revoked";
                };
            };
        };
        /** @description the role may not do this, or the case or unit is outside the user’s scope (code `password_change_required`) */
        readonly PasswordChangeRequired: {
            headers: {
                readonly [name: string]: unknown;
            };
            content: {
                readonly "application/json": components["schemas"]["ErrorBody"] & {
                    /** @enum {integer} */
                    readonly statusCode?: 403;
                    /** @enum {string} */
                    readonly code?: "password_change_required";
                };
            };
        };
        /** @description the body or a file is too large */
        readonly TooLarge: {
            headers: {
                readonly [name: string]: unknown;
            };
            content: {
                readonly "application/json": components["schemas"]["ErrorBody"] & {
                    /** @enum {integer} */
                    readonly statusCode?: 413;
                    readonly code?: unknown;
                };
            };
        };
        /** @description a body or a file of a type not accepted */
        readonly NotJson: {
            headers: {
                readonly [name: string]: unknown;
            };
            content: {
                readonly "application/json": components["schemas"]["ErrorBody"] & {
                    /** @enum {integer} */
                    readonly statusCode?: 415;
                    readonly code?: unknown;
                };
            };
        };
        /** @description no database connection within 5 s: wait for `Retry-After` seconds and try again (code `unavailable`) */
        readonly Unavailable: {
            headers: {
                /** @description seconds to wait before trying again */
                readonly "Retry-After"?: number;
                readonly [name: string]: unknown;
            };
            content: {
                readonly "application/json": components["schemas"]["ErrorBody"] & {
                    /** @enum {integer} */
                    readonly statusCode?: 503;
                    /** @enum {string} */
                    readonly code?: "unavailable";
                };
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    readonly authLogIn: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["LoginDto"];
            };
        };
        readonly responses: {
            /** @description the token, its lifetime and the account */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["LoginAnswer"];
                };
            };
            readonly 400: components["responses"]["InvalidJson"];
            /** @description a wrong username or password, or a disabled account: the same answer, to tell nothing (code `invalid_credentials`) */
            readonly 401: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 401;
                        /** @enum {string} */
                        readonly code?: "invalid_credentials";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            /** @description too many failed logins for this username, this address or the pair (checked before the password): wait for `Retry-After` seconds (code `login_throttled`) */
            readonly 429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    readonly "Retry-After"?: number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 429;
                        /** @enum {string} */
                        readonly code?: "login_throttled";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly authLogOut: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the token is refused from now on */
            readonly 204: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content?: never;
            };
            readonly 400: components["responses"]["InvalidJson"];
            readonly 401: components["responses"]["Unauthorized"];
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly authMe: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the account, read from its own stream */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Me"];
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly authChangePassword: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["ChangePasswordDto"];
            };
        };
        readonly responses: {
            /** @description changed: log in again with the new password */
            readonly 204: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a new password that breaks the rules, or a wrong current one: `details` names the field (code `invalid_user`, `malformed_json`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "invalid_user" | "malformed_json";
                    };
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the account kept changing while the change was retried (code `revision_conflict`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "revision_conflict";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            /** @description too many failed logins (a wrong current password counts as one): wait for `Retry-After` seconds (code `login_throttled`) */
            readonly 429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    readonly "Retry-After"?: number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 429;
                        /** @enum {string} */
                        readonly code?: "login_throttled";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly orgUnits: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the units of the whole tree (any user may read it) */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly components["schemas"]["Unit"][];
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            readonly 403: components["responses"]["PasswordChangeRequired"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly usersList: {
        readonly parameters: {
            readonly query?: {
                /** @description wait (up to 5 s) until the answer includes this global log position, the `position` a command answered */
                readonly minPosition?: number;
                readonly page?: number;
                readonly pageSize?: number;
                /** @description that unit’s subtree (within the admin’s) */
                readonly unitId?: string;
                /** @description substring of the username or display name */
                readonly q?: string;
                /** @description also list disabled accounts */
                readonly includeDisabled?: "true" | "false";
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the page; a unit outside the admin’s subtree lists nothing */
            readonly 200: {
                headers: {
                    /** @description with `minPosition`: `caught-up` when the answer includes that position, `stale` when the 5 s wait ran out */
                    readonly "X-Minyi-Consistency"?: "caught-up" | "stale";
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["AccountPage"];
                };
            };
            readonly 400: components["responses"]["Invalid"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly usersCreate: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["CreateUserDto"];
            };
        };
        readonly responses: {
            /** @description the account made */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Account"];
                };
            };
            /** @description a field is missing, invalid or unknown: `details` names each one (code `invalid_user`, `malformed_json`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "invalid_user" | "malformed_json";
                    };
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description the username is taken (code `username_taken`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "username_taken";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly usersUpdate: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["UpdateUserDto"];
            };
        };
        readonly responses: {
            /** @description the account as changed */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Account"];
                };
            };
            /** @description a field is missing, invalid or unknown: `details` names each one (code `invalid_user`, `malformed_json`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "invalid_user" | "malformed_json";
                    };
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `illegal_transition`, `revision_conflict`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "illegal_transition" | "revision_conflict";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly usersDisable: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["DisableUserDto"];
            };
        };
        readonly responses: {
            /** @description the account, disabled */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Account"];
                };
            };
            /** @description a field is missing, invalid or unknown: `details` names each one (code `invalid_user`, `malformed_json`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "invalid_user" | "malformed_json";
                    };
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `illegal_transition`, `revision_conflict`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "illegal_transition" | "revision_conflict";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly usersEnable: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the account, enabled */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Account"];
                };
            };
            readonly 400: components["responses"]["InvalidJson"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `illegal_transition`, `revision_conflict`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "illegal_transition" | "revision_conflict";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly usersResetPassword: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the temporary password, shown this once */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["TemporaryPassword"];
                };
            };
            readonly 400: components["responses"]["InvalidJson"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `illegal_transition`, `revision_conflict`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "illegal_transition" | "revision_conflict";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly usersHistory: {
        readonly parameters: {
            readonly query?: {
                /** @description the revision the page starts at (default 0); past the last event: an empty page */
                readonly fromRevision?: number;
                /** @description the most events on the page: 1-500 (default 500) */
                readonly limit?: number;
            };
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description a page of the events, oldest first */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["AccountHistory"];
                };
            };
            readonly 400: components["responses"]["Invalid"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesList: {
        readonly parameters: {
            readonly query?: {
                /** @description wait (up to 5 s) until the answer includes this global log position, the `position` a command answered */
                readonly minPosition?: number;
                readonly page?: number;
                readonly pageSize?: number;
                readonly status?: "filed" | "in_coordination" | "awaiting_annotation" | "resolved" | "closed" | "rejected" | "withdrawn" | "merged";
                readonly kind?: "suggestion" | "grievance" | "dispute" | "risk" | "hardship" | "visit";
                /** @description that unit’s subtree */
                readonly unitId?: string;
                /** @description only cases past a deadline */
                readonly overdue?: "true" | "false";
                /** @description substring of title or description */
                readonly q?: string;
                /** @description only the cases I filed (an addition to API.md) */
                readonly filedBy?: "me";
                /** @description answer a spreadsheet of the same rows instead of JSON (API.md "Exports") */
                readonly format?: "xlsx" | "csv";
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description JSON; with format=xlsx or format=csv, a spreadsheet download of the same rows (Chinese column heads) */
            readonly 200: {
                headers: {
                    /** @description with `minPosition`: `caught-up` when the answer includes that position, `stale` when the 5 s wait ran out */
                    readonly "X-Minyi-Consistency"?: "caught-up" | "stale";
                    /** @description with format=xlsx|csv: `attachment` with the file’s Chinese name (RFC 5987 `filename*`), e.g. 统计数据-东关街道-2026-11-02.xlsx */
                    readonly "Content-Disposition"?: string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseList"];
                    readonly "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": string;
                    readonly "text/csv; charset=utf-8": string;
                };
            };
            /** @description a field is missing, invalid or unknown: `details` names each one (code `export_too_large`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "export_too_large";
                    };
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            readonly 403: components["responses"]["PasswordChangeRequired"];
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesFile: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: {
                /** @description a retry with the same key and body returns the first response */
                readonly "Idempotency-Key"?: string;
            };
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["FileCaseDto"];
            };
        };
        readonly responses: {
            /** @description the case is filed; with an Idempotency-Key used before with the same body, the first filing’s answer */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["FiledCase"];
                };
            };
            /** @description a field is missing, invalid or unknown: `details` names each one (code `invalid`, `malformed_json`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "invalid" | "malformed_json";
                    };
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `idempotency_key_reused`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "idempotency_key_reused";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesAccept: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["AcceptDto"];
            };
        };
        readonly responses: {
            /** @description the case’s status, revision and log position after the command */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseMoved"];
                };
            };
            readonly 400: components["responses"]["InvalidJson"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `revision_conflict`, `illegal_transition`, `limit_reached`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "revision_conflict" | "illegal_transition" | "limit_reached";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesReject: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["ReasonDto"];
            };
        };
        readonly responses: {
            /** @description the case’s status, revision and log position after the command */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseMoved"];
                };
            };
            readonly 400: components["responses"]["InvalidJson"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `revision_conflict`, `illegal_transition`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "revision_conflict" | "illegal_transition";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesAssign: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["AssignDto"];
            };
        };
        readonly responses: {
            /** @description the case’s status, revision and log position after the command */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseMoved"];
                };
            };
            /** @description a field is missing, invalid or unknown: `details` names each one (code `invalid`, `malformed_json`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "invalid" | "malformed_json";
                    };
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `revision_conflict`, `illegal_transition`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "revision_conflict" | "illegal_transition";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesAddNote: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["NoteDto"];
            };
        };
        readonly responses: {
            /** @description the case’s status, revision and log position after the command */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseMoved"];
                };
            };
            readonly 400: components["responses"]["InvalidJson"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `revision_conflict`, `illegal_transition`, `limit_reached`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "revision_conflict" | "illegal_transition" | "limit_reached";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesTransfer: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["TransferDto"];
            };
        };
        readonly responses: {
            /** @description the case’s status, revision and log position after the command */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseMoved"];
                };
            };
            /** @description a field is missing, invalid or unknown: `details` names each one (code `invalid`, `malformed_json`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "invalid" | "malformed_json";
                    };
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `revision_conflict`, `illegal_transition`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "revision_conflict" | "illegal_transition";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesEscalate: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["ReasonDto"];
            };
        };
        readonly responses: {
            /** @description the case’s status, revision and log position after the command */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseMoved"];
                };
            };
            readonly 400: components["responses"]["InvalidJson"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `revision_conflict`, `illegal_transition`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "revision_conflict" | "illegal_transition";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesRequestAnnotation: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["SummaryDto"];
            };
        };
        readonly responses: {
            /** @description the case’s status, revision and log position after the command */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseMoved"];
                };
            };
            readonly 400: components["responses"]["InvalidJson"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `revision_conflict`, `illegal_transition`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "revision_conflict" | "illegal_transition";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesAnnotate: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["AnnotateDto"];
            };
        };
        readonly responses: {
            /** @description the case’s status, revision and log position after the command */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseMoved"];
                };
            };
            readonly 400: components["responses"]["InvalidJson"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `revision_conflict`, `illegal_transition`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "revision_conflict" | "illegal_transition";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesResolve: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["ResolveDto"];
            };
        };
        readonly responses: {
            /** @description the case’s status, revision and log position after the command */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseMoved"];
                };
            };
            readonly 400: components["responses"]["InvalidJson"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `revision_conflict`, `illegal_transition`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "revision_conflict" | "illegal_transition";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesFeedback: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["FeedbackDto"];
            };
        };
        readonly responses: {
            /** @description the case’s status, revision and log position after the command */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseMoved"];
                };
            };
            readonly 400: components["responses"]["InvalidJson"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `revision_conflict`, `illegal_transition`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "revision_conflict" | "illegal_transition";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesClose: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["SummaryDto"];
            };
        };
        readonly responses: {
            /** @description the case’s status, revision and log position after the command */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseMoved"];
                };
            };
            readonly 400: components["responses"]["InvalidJson"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `revision_conflict`, `illegal_transition`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "revision_conflict" | "illegal_transition";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesReopen: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["ReasonDto"];
            };
        };
        readonly responses: {
            /** @description the case’s status, revision and log position after the command */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseMoved"];
                };
            };
            readonly 400: components["responses"]["InvalidJson"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `revision_conflict`, `illegal_transition`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "revision_conflict" | "illegal_transition";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesWithdraw: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["ReasonDto"];
            };
        };
        readonly responses: {
            /** @description the case’s status, revision and log position after the command */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseMoved"];
                };
            };
            readonly 400: components["responses"]["InvalidJson"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `revision_conflict`, `illegal_transition`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "revision_conflict" | "illegal_transition";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesMerge: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["MergeDto"];
            };
        };
        readonly responses: {
            /** @description the case’s status, revision and log position after the command */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseMoved"];
                };
            };
            /** @description a field is missing, invalid or unknown: `details` names each one (code `invalid`, `malformed_json`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "invalid" | "malformed_json";
                    };
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `revision_conflict`, `illegal_transition`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "revision_conflict" | "illegal_transition";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesExtendDeadline: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["ExtendDeadlineDto"];
            };
        };
        readonly responses: {
            /** @description the case’s status, revision and log position after the command */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseMoved"];
                };
            };
            readonly 400: components["responses"]["InvalidJson"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `revision_conflict`, `illegal_transition`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "revision_conflict" | "illegal_transition";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesDetail: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the case now, its assignee, and the actions this user may take */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseDetail"];
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            readonly 403: components["responses"]["PasswordChangeRequired"];
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesAssignees: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the coordinators, nearest unit first */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly components["schemas"]["Colleague"][];
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            readonly 403: components["responses"]["PasswordChangeRequired"];
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesHistory: {
        readonly parameters: {
            readonly query?: {
                /** @description the revision the page starts at (default 0); past the last event: an empty page */
                readonly fromRevision?: number;
                /** @description the most events on the page: 1-500 (default 500) */
                readonly limit?: number;
            };
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description a page of the case’s events, oldest first */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseHistory"];
                };
            };
            readonly 400: components["responses"]["Invalid"];
            readonly 401: components["responses"]["Unauthorized"];
            readonly 403: components["responses"]["PasswordChangeRequired"];
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesStateAt: {
        readonly parameters: {
            readonly query?: {
                readonly revision?: number;
                readonly at?: string;
            };
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the case as it stood then */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseStateAt"];
                };
            };
            readonly 400: components["responses"]["Invalid"];
            readonly 401: components["responses"]["Unauthorized"];
            readonly 403: components["responses"]["PasswordChangeRequired"];
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesVerify: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description whether the case’s record and files are whole */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["CaseVerification"];
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            readonly 403: components["responses"]["PasswordChangeRequired"];
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly attachmentsUpload: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description the case */
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "multipart/form-data": {
                    /**
                     * Format: binary
                     * @description one file of at most 20 MB: JPEG, PNG, WebP, PDF, MP3, M4A or WAV, read from its content; images lose their metadata (EXIF, GPS)
                     */
                    readonly file: string;
                    /**
                     * @description default: photo for an image, audio for a recording, else document
                     * @enum {string}
                     */
                    readonly kind?: "photo" | "document" | "audio" | "agreement";
                    /** @example 双方签字的调解协议 */
                    readonly description?: string;
                };
            };
        };
        readonly responses: {
            /** @description stored and recorded as AttachmentAdded */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["AddedAttachment"];
                };
            };
            /** @description a field is missing, invalid or unknown: `details` names each one (code `upload_aborted`, `malformed_json`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "upload_aborted" | "malformed_json";
                    };
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `illegal_transition`, `limit_reached`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "illegal_transition" | "limit_reached";
                    };
                };
            };
            /** @description the body or a file is too large (code `payload_too_large`) */
            readonly 413: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 413;
                        /** @enum {string} */
                        readonly code?: "payload_too_large";
                    };
                };
            };
            /** @description a body or a file of a type not accepted (code `unsupported_media_type`) */
            readonly 415: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 415;
                        /** @enum {string} */
                        readonly code?: "unsupported_media_type";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly attachmentsDownload: {
        readonly parameters: {
            readonly query?: {
                /** @description 1: a JPEG of the image at most 320 px a side (images only) */
                readonly thumbnail?: "1" | "0" | "true" | "false";
            };
            readonly header?: never;
            readonly path: {
                /** @description the case */
                readonly id: string;
                readonly attachmentId: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the stored bytes, in the type read from their content (a thumbnail: image/jpeg); images inline, others as a download */
            readonly 200: {
                headers: {
                    /** @description `inline` for an image, else `attachment`, with the file name */
                    readonly "Content-Disposition"?: string;
                    /** @description the SHA-256 of the bytes: send it as If-None-Match to get 304 */
                    readonly ETag?: string;
                    /** @description always `nosniff` */
                    readonly "X-Content-Type-Options"?: "nosniff";
                    /** @description always `private` */
                    readonly "Cache-Control"?: "private";
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "image/jpeg": string;
                    readonly "image/png": string;
                    readonly "image/webp": string;
                    readonly "application/pdf": string;
                    readonly "audio/mpeg": string;
                    readonly "audio/mp4": string;
                    readonly "audio/wav": string;
                };
            };
            /** @description If-None-Match named the ETag: the bytes have not changed */
            readonly 304: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content?: never;
            };
            readonly 400: components["responses"]["Invalid"];
            readonly 401: components["responses"]["Unauthorized"];
            readonly 403: components["responses"]["PasswordChangeRequired"];
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly adoptionsList: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the adoptions (采用 / 批示) of the case */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["AdoptionList"];
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            readonly 403: components["responses"]["PasswordChangeRequired"];
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly adoptionsAdopt: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["AdoptionDto"];
            };
        };
        readonly responses: {
            /** @description recorded as the case’s SuggestionAdopted event */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["AdoptionRecorded"];
                };
            };
            /** @description a level out of the actor’s reach or below the filing’s, a leader’s level left out by others, or a bulletin not published, not readable or not holding the case (code `invalid`, `malformed_json`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "invalid" | "malformed_json";
                    };
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description not a coordinator or leader, or an annotation (批示) by other than a leader (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description no case readable by you (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description that level’s adoption or annotation already recorded (from that bulletin), the case full of adoptions, or a stale expectedRevision (code `revision_conflict`, `illegal_transition`, `limit_reached`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "revision_conflict" | "illegal_transition" | "limit_reached";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly inboxList: {
        readonly parameters: {
            readonly query?: {
                /** @description wait (up to 5 s) until the answer includes this global log position, the `position` a command answered */
                readonly minPosition?: number;
                /** @description answer a spreadsheet of the same rows instead of JSON (API.md "Exports") */
                readonly format?: "xlsx" | "csv";
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description JSON; with format=xlsx or format=csv, a spreadsheet download of the same rows (Chinese column heads) */
            readonly 200: {
                headers: {
                    /** @description with `minPosition`: `caught-up` when the answer includes that position, `stale` when the 5 s wait ran out */
                    readonly "X-Minyi-Consistency"?: "caught-up" | "stale";
                    /** @description with format=xlsx|csv: `attachment` with the file’s Chinese name (RFC 5987 `filename*`), e.g. 统计数据-东关街道-2026-11-02.xlsx */
                    readonly "Content-Disposition"?: string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Inbox"];
                    readonly "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": string;
                    readonly "text/csv; charset=utf-8": string;
                };
            };
            readonly 400: components["responses"]["Invalid"];
            readonly 401: components["responses"]["Unauthorized"];
            readonly 403: components["responses"]["PasswordChangeRequired"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly notificationsList: {
        readonly parameters: {
            readonly query?: {
                /** @description wait (up to 5 s) until the answer includes this global log position, the `position` a command answered */
                readonly minPosition?: number;
                /** @description only unread notifications */
                readonly unread?: "true" | "false";
                /** @description at most this many (default 50) */
                readonly limit?: number;
                /** @description the last id of the previous page: only older notifications follow */
                readonly before?: string;
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description a page of my notifications and the count of unread ones */
            readonly 200: {
                headers: {
                    /** @description with `minPosition`: `caught-up` when the answer includes that position, `stale` when the 5 s wait ran out */
                    readonly "X-Minyi-Consistency"?: "caught-up" | "stale";
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["NotificationList"];
                };
            };
            readonly 400: components["responses"]["Invalid"];
            readonly 401: components["responses"]["Unauthorized"];
            readonly 403: components["responses"]["PasswordChangeRequired"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly notificationsMarkRead: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["MarkReadDto"];
            };
        };
        readonly responses: {
            /** @description how many were marked read (ids not mine, or read already, are left alone) */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["NotificationsRead"];
                };
            };
            readonly 400: components["responses"]["InvalidJson"];
            readonly 401: components["responses"]["Unauthorized"];
            readonly 403: components["responses"]["PasswordChangeRequired"];
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly deadLettersList: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the failed deliveries of every channel */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["DeadLetters"];
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly opsHealth: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description every check passed: `{ status: "ok" }` */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Health"];
                };
            };
            /** @description a check failed: `{ status: "unavailable" }`, no error text but to an admin */
            readonly 503: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    readonly opsMetrics: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description Prometheus text exposition format, version 0.0.4 */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "text/plain": string;
                };
            };
        };
    };
    readonly statsFigures: {
        readonly parameters: {
            readonly query?: {
                /** @description wait (up to 5 s) until the answer includes this global log position, the `position` a command answered */
                readonly minPosition?: number;
                /** @description start of the period, included: an ISO 8601 time with an offset, or a date YYYY-MM-DD (its start in Asia/Shanghai) (default: 1 January of the year of to) */
                readonly from?: string;
                /** @description end of the period, excluded: an ISO 8601 time with an offset, or a date YYYY-MM-DD (its start in Asia/Shanghai) (default: now) */
                readonly to?: string;
                /** @description answer a spreadsheet of the same rows instead of JSON (API.md "Exports") */
                readonly format?: "xlsx" | "csv";
                /** @description the unit whose subtree is counted (default: your unit) */
                readonly unitId?: string;
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description JSON; with format=xlsx or format=csv, a spreadsheet download of the same rows (Chinese column heads) */
            readonly 200: {
                headers: {
                    /** @description with `minPosition`: `caught-up` when the answer includes that position, `stale` when the 5 s wait ran out */
                    readonly "X-Minyi-Consistency"?: "caught-up" | "stale";
                    /** @description with format=xlsx|csv: `attachment` with the file’s Chinese name (RFC 5987 `filename*`), e.g. 统计数据-东关街道-2026-11-02.xlsx */
                    readonly "Content-Disposition"?: string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Statistics"];
                    readonly "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": string;
                    readonly "text/csv; charset=utf-8": string;
                };
            };
            /** @description a field is missing, invalid or unknown: `details` names each one (code `invalid`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "invalid";
                    };
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly statsClerks: {
        readonly parameters: {
            readonly query?: {
                /** @description wait (up to 5 s) until the answer includes this global log position, the `position` a command answered */
                readonly minPosition?: number;
                /** @description start of the period, included: an ISO 8601 time with an offset, or a date YYYY-MM-DD (its start in Asia/Shanghai) (default: 1 January of the year of to) */
                readonly from?: string;
                /** @description end of the period, excluded: an ISO 8601 time with an offset, or a date YYYY-MM-DD (its start in Asia/Shanghai) (default: now) */
                readonly to?: string;
                /** @description answer a spreadsheet of the same rows instead of JSON (API.md "Exports") */
                readonly format?: "xlsx" | "csv";
                /** @description the unit whose subtree is counted (default: your unit) */
                readonly unitId?: string;
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description JSON; with format=xlsx or format=csv, a spreadsheet download of the same rows (Chinese column heads) */
            readonly 200: {
                headers: {
                    /** @description with `minPosition`: `caught-up` when the answer includes that position, `stale` when the 5 s wait ran out */
                    readonly "X-Minyi-Consistency"?: "caught-up" | "stale";
                    /** @description with format=xlsx|csv: `attachment` with the file’s Chinese name (RFC 5987 `filename*`), e.g. 统计数据-东关街道-2026-11-02.xlsx */
                    readonly "Content-Disposition"?: string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ClerkAppraisal"];
                    readonly "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": string;
                    readonly "text/csv; charset=utf-8": string;
                };
            };
            /** @description a field is missing, invalid or unknown: `details` names each one (code `invalid`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "invalid";
                    };
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly statsUnitRanking: {
        readonly parameters: {
            readonly query?: {
                /** @description wait (up to 5 s) until the answer includes this global log position, the `position` a command answered */
                readonly minPosition?: number;
                /** @description start of the period, included: an ISO 8601 time with an offset, or a date YYYY-MM-DD (its start in Asia/Shanghai) (default: 1 January of the year of to) */
                readonly from?: string;
                /** @description end of the period, excluded: an ISO 8601 time with an offset, or a date YYYY-MM-DD (its start in Asia/Shanghai) (default: now) */
                readonly to?: string;
                /** @description answer a spreadsheet of the same rows instead of JSON (API.md "Exports") */
                readonly format?: "xlsx" | "csv";
                /** @description the unit whose children are ranked, each over its subtree (default: your unit) */
                readonly parentId?: string;
                /** @description recompute as of this global log position (the `position` of an earlier answer; 0 is before the first event): events after it are ignored */
                readonly position?: number;
                /** @description weights to try instead of the policy’s rankingWeights, as rate:weight pairs; rates left out keep the policy’s weight */
                readonly weights?: string;
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description JSON; with format=xlsx or format=csv, a spreadsheet download of the same rows (Chinese column heads) */
            readonly 200: {
                headers: {
                    /** @description with `minPosition`: `caught-up` when the answer includes that position, `stale` when the 5 s wait ran out */
                    readonly "X-Minyi-Consistency"?: "caught-up" | "stale";
                    /** @description with format=xlsx|csv: `attachment` with the file’s Chinese name (RFC 5987 `filename*`), e.g. 统计数据-东关街道-2026-11-02.xlsx */
                    readonly "Content-Disposition"?: string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["UnitRanking"];
                    readonly "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": string;
                    readonly "text/csv; charset=utf-8": string;
                };
            };
            /** @description a wrong field, weights that cannot be read, or a position no event has, not reached yet or too costly to recompute at (code `invalid`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "invalid";
                    };
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description another ranking at a position is being computed: wait for `Retry-After` seconds (code `busy`) */
            readonly 429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    readonly "Retry-After"?: number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 429;
                        /** @enum {string} */
                        readonly code?: "busy";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly auditVerify: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the whole store walked; the broken streams in the caller’s scope */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["StoreVerification"];
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description not an auditor or admin (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description another whole-store walk is running: wait for `Retry-After` seconds (code `busy`) */
            readonly 429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    readonly "Retry-After"?: number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 429;
                        /** @enum {string} */
                        readonly code?: "busy";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly auditAnchor: {
        readonly parameters: {
            readonly query?: {
                /** @description the global position of the last event to cover (default: the settled head of the log) */
                readonly position?: number;
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the anchor at the position asked, or at the settled head of the log */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["AuditAnchor"];
                };
            };
            readonly 400: components["responses"]["Invalid"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description not an auditor or admin (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description no event has that position (`details` name `position`) (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description a transaction that may still land before that position is open (code `not_settled`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "not_settled";
                    };
                };
            };
            /** @description another whole-store walk is running: wait for `Retry-After` seconds (code `busy`) */
            readonly 429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    readonly "Retry-After"?: number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 429;
                        /** @enum {string} */
                        readonly code?: "busy";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesDossier: {
        readonly parameters: {
            readonly query?: {
                /** @description json (default) or html: a printable page in Chinese */
                readonly format?: "json" | "html";
            };
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the dossier as JSON; with format=html, a printable page in Chinese (UTF-8) */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Dossier"];
                    readonly "text/html": string;
                };
            };
            readonly 400: components["responses"]["Invalid"];
            readonly 401: components["responses"]["Unauthorized"];
            readonly 403: components["responses"]["PasswordChangeRequired"];
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly publicUnits: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description every community and grid, in the org tree’s order */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly components["schemas"]["PublicUnit"][];
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly publicKinds: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the kinds residents may file */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly ("suggestion" | "grievance" | "dispute" | "risk" | "hardship" | "visit")[];
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly publicFile: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: {
                /** @description a retry with the same key and body returns the first answer (1-200 characters) */
                readonly "Idempotency-Key"?: string;
            };
            readonly path?: never;
            readonly cookie?: never;
        };
        /** @description as JSON (a `PublicFilingDto`), or as multipart/form-data: the filing as JSON in a `case` part (typed application/json or text/plain), sent first, and up to 5 `files` (at most 20 MB each: JPEG, PNG, WebP, PDF, MP3, M4A or WAV by content) */
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["PublicFilingDto"] | {
                    /** @description the filing (a `PublicFilingDto`) as JSON text (at most 64 KB), in a text part sent before the files */
                    readonly case: string;
                    /** @description photos, documents or recordings: they become attachments of the case */
                    readonly files?: readonly string[];
                };
                readonly "multipart/form-data": components["schemas"]["PublicFilingDto"] | {
                    /** @description the filing (a `PublicFilingDto`) as JSON text (at most 64 KB), in a text part sent before the files */
                    readonly case: string;
                    /** @description photos, documents or recordings: they become attachments of the case */
                    readonly files?: readonly string[];
                };
            };
        };
        readonly responses: {
            /** @description filed (or, for a retried Idempotency-Key, the first filing’s answer again) */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["PublicFiled"];
                };
            };
            /** @description a field is missing, invalid or unknown: `details` names each one (code `invalid`, `upload_aborted`, `malformed_json`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "invalid" | "upload_aborted" | "malformed_json";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `idempotency_key_reused`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "idempotency_key_reused";
                    };
                };
            };
            /** @description the body or a file is too large (code `payload_too_large`) */
            readonly 413: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 413;
                        /** @enum {string} */
                        readonly code?: "payload_too_large";
                    };
                };
            };
            /** @description a body or a file of a type not accepted (code `unsupported_media_type`) */
            readonly 415: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 415;
                        /** @enum {string} */
                        readonly code?: "unsupported_media_type";
                    };
                };
            };
            /** @description too many requests: wait for `Retry-After` seconds (code `rate_limited`) */
            readonly 429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    readonly "Retry-After"?: number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 429;
                        /** @enum {string} */
                        readonly code?: "rate_limited";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly publicTrack: {
        readonly parameters: {
            readonly query: {
                /** @description the access code given with the case number */
                readonly code: string;
                /** @description the timeline’s language (default: from Accept-Language, else zh-CN) */
                readonly lang?: "zh-CN" | "en";
            };
            readonly header?: never;
            readonly path: {
                /** @description the case number given at filing */
                readonly number: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the case as its filer may see it: levels and steps, never people, phones or notes */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["PublicCase"];
                };
            };
            readonly 400: components["responses"]["Invalid"];
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description too many requests: wait for `Retry-After` seconds (code `rate_limited`) */
            readonly 429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    readonly "Retry-After"?: number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 429;
                        /** @enum {string} */
                        readonly code?: "rate_limited";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly publicFeedback: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description the case number given at filing */
                readonly number: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["PublicFeedbackDto"];
            };
        };
        readonly responses: {
            /** @description the rating, recorded as feedback by the public actor */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["PublicFeedbackRecorded"];
                };
            };
            readonly 400: components["responses"]["InvalidJson"];
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `illegal_transition`, `revision_conflict`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "illegal_transition" | "revision_conflict";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            /** @description too many requests: wait for `Retry-After` seconds (code `rate_limited`) */
            readonly 429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    readonly "Retry-After"?: number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 429;
                        /** @enum {string} */
                        readonly code?: "rate_limited";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly publicReceipt: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description the receipt’s hash (64 hex digits, any letter case) */
                readonly hash: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the filing of this receipt, and whether it is intact */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ReceiptCheck"];
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly open311DiscoveryJson: {
        readonly parameters: {
            readonly query?: {
                /** @description taken and ignored: there is one jurisdiction */
                readonly jurisdiction_id?: string;
                /** @description taken and ignored: reading needs no key (filing takes it in the form, never in the URL) */
                readonly api_key?: string;
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the discovery document */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Open311Discovery"];
                };
            };
            /** @description a query parameter other than jurisdiction_id and api_key, or text that cannot be stored (the specification’s error list) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 400;
                    })[];
                };
            };
        };
    };
    readonly open311DiscoveryXml: {
        readonly parameters: {
            readonly query?: {
                /** @description taken and ignored: there is one jurisdiction */
                readonly jurisdiction_id?: string;
                /** @description taken and ignored: reading needs no key (filing takes it in the form, never in the URL) */
                readonly api_key?: string;
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the discovery document */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "text/xml": string;
                };
            };
            /** @description a query parameter other than jurisdiction_id and api_key, or text that cannot be stored (the specification’s error list) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "text/xml": string;
                };
            };
        };
    };
    readonly open311ServicesJson: {
        readonly parameters: {
            readonly query?: {
                /** @description taken and ignored: there is one jurisdiction */
                readonly jurisdiction_id?: string;
                /** @description taken and ignored: reading needs no key (filing takes it in the form, never in the URL) */
                readonly api_key?: string;
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the services */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly components["schemas"]["Open311Service"][];
                };
            };
            /** @description a query parameter other than jurisdiction_id and api_key, or text that cannot be stored (the specification’s error list) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 400;
                    })[];
                };
            };
        };
    };
    readonly open311ServicesXml: {
        readonly parameters: {
            readonly query?: {
                /** @description taken and ignored: there is one jurisdiction */
                readonly jurisdiction_id?: string;
                /** @description taken and ignored: reading needs no key (filing takes it in the form, never in the URL) */
                readonly api_key?: string;
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the services */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "text/xml": string;
                };
            };
            /** @description a query parameter other than jurisdiction_id and api_key, or text that cannot be stored (the specification’s error list) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "text/xml": string;
                };
            };
        };
    };
    readonly open311Definition: {
        readonly parameters: {
            readonly query?: {
                /** @description taken and ignored: there is one jurisdiction */
                readonly jurisdiction_id?: string;
                /** @description taken and ignored: reading needs no key (filing takes it in the form, never in the URL) */
                readonly api_key?: string;
            };
            readonly header?: never;
            readonly path: {
                /** @description the service code and the format: `{service_code}.json` or `{service_code}.xml` */
                readonly resource: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the service’s definition */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Open311ServiceDefinition"];
                    readonly "text/xml": string;
                };
            };
            /** @description a query parameter other than jurisdiction_id and api_key, or text that cannot be stored (the specification’s error list) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 400;
                    })[];
                    readonly "text/xml": string;
                };
            };
            /** @description no such service open to the public, or no .json or .xml suffix (the specification’s error list) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 404;
                    })[];
                    readonly "text/xml": string;
                };
            };
        };
    };
    readonly open311RequestsJson: {
        readonly parameters: {
            readonly query?: {
                /** @description case numbers, comma-separated (at most 1000): when given, every other filter is ignored */
                readonly service_request_id?: string;
                /** @description service codes, comma-separated (GET services lists them) */
                readonly service_code?: string;
                /** @description open, closed, or both comma-separated */
                readonly status?: string;
                /** @description filed at or after this W3C datetime with a time zone (default: 90 days before end_date) */
                readonly start_date?: string;
                /** @description filed at or before this W3C datetime with a time zone (default: now, or 90 days after start_date); the range spans at most 90 days */
                readonly end_date?: string;
                /** @description taken and ignored: there is one jurisdiction */
                readonly jurisdiction_id?: string;
                /** @description taken and ignored: reading needs no key (filing takes it in the form, never in the URL) */
                readonly api_key?: string;
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the service requests */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly components["schemas"]["Open311Request"][];
                };
            };
            /** @description an unknown parameter, a service code that is not public, a status other than open or closed, a date that is no W3C datetime with a time zone, a range over 90 days (the specification’s error list) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 400;
                    })[];
                };
            };
            /** @description no database connection within 5 s: wait for `Retry-After` seconds and try again (the specification’s error list) */
            readonly 503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    readonly "Retry-After"?: number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 503;
                    })[];
                };
            };
        };
    };
    readonly open311FileJson: {
        readonly parameters: {
            readonly query?: {
                /** @description taken and ignored: there is one jurisdiction */
                readonly jurisdiction_id?: string;
                /** @description taken and ignored: reading needs no key (filing takes it in the form, never in the URL) */
                readonly api_key?: string;
            };
            readonly header?: {
                /** @description a retry with the same key and form returns the first answer (1-200 characters; per api_key) */
                readonly "Idempotency-Key"?: string;
            };
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/x-www-form-urlencoded": {
                    /**
                     * @description the key an admin made (POST /api/v1/open311/keys)
                     * @example o311_Qm9vdHN0cmFwcGVkS2V5Rm9yVGhlQ2l0eVNlcnZpY2U
                     */
                    readonly api_key: string;
                    /**
                     * @description a service of GET services (another code: 404)
                     * @example risk
                     * @enum {string}
                     */
                    readonly service_code: "suggestion" | "grievance" | "dispute" | "risk" | "hardship" | "visit";
                    /**
                     * @description required: what happened, what is asked
                     * @example 北门台阶破损，雨天容易滑倒。请尽快修补。
                     */
                    readonly description: string;
                    /**
                     * @description required: the community or grid to file to, a value of the unit attribute (GET services/{service_code})
                     * @example hd-dg-1
                     */
                    readonly "attribute[unit]"?: string;
                    /**
                     * @description true: only the filing unit sees the name and phone (default false)
                     * @enum {string}
                     */
                    readonly "attribute[anonymous]"?: "true" | "false";
                    /**
                     * @description the title (default: the description’s first sentence, at most 40 characters)
                     * @example 北门台阶破损
                     */
                    readonly "attribute[title]"?: string;
                    /**
                     * @description WGS84 latitude, with long
                     * @example 36.12
                     */
                    readonly lat?: string;
                    /**
                     * @description WGS84 longitude, with lat
                     * @example 117.21
                     */
                    readonly long?: string;
                    /** @example 东关街道幸福小区北门 */
                    readonly address_string?: string;
                    /** @example 建国 */
                    readonly first_name?: string;
                    /** @example 刘 */
                    readonly last_name?: string;
                    /** @example 13587654321 */
                    readonly phone?: string;
                    /** @example liu@example.com */
                    readonly email?: string;
                    /**
                     * @description true: the answer adds extended_attributes.access_code
                     * @enum {string}
                     */
                    readonly extensions?: "true" | "false";
                    readonly jurisdiction_id?: string;
                    readonly device_id?: string;
                    readonly account_id?: string;
                    readonly media_url?: string;
                    readonly address_id?: string;
                    /** @description JSON bodies only: the attributes nested */
                    readonly attribute?: {
                        /** @example hd-dg-1 */
                        readonly unit?: string;
                        /** @enum {string} */
                        readonly anonymous?: "true" | "false";
                        readonly title?: string;
                    };
                };
                readonly "application/json": {
                    /**
                     * @description the key an admin made (POST /api/v1/open311/keys)
                     * @example o311_Qm9vdHN0cmFwcGVkS2V5Rm9yVGhlQ2l0eVNlcnZpY2U
                     */
                    readonly api_key: string;
                    /**
                     * @description a service of GET services (another code: 404)
                     * @example risk
                     * @enum {string}
                     */
                    readonly service_code: "suggestion" | "grievance" | "dispute" | "risk" | "hardship" | "visit";
                    /**
                     * @description required: what happened, what is asked
                     * @example 北门台阶破损，雨天容易滑倒。请尽快修补。
                     */
                    readonly description: string;
                    /**
                     * @description required: the community or grid to file to, a value of the unit attribute (GET services/{service_code})
                     * @example hd-dg-1
                     */
                    readonly "attribute[unit]"?: string;
                    /**
                     * @description true: only the filing unit sees the name and phone (default false)
                     * @enum {string}
                     */
                    readonly "attribute[anonymous]"?: "true" | "false";
                    /**
                     * @description the title (default: the description’s first sentence, at most 40 characters)
                     * @example 北门台阶破损
                     */
                    readonly "attribute[title]"?: string;
                    /**
                     * @description WGS84 latitude, with long
                     * @example 36.12
                     */
                    readonly lat?: string;
                    /**
                     * @description WGS84 longitude, with lat
                     * @example 117.21
                     */
                    readonly long?: string;
                    /** @example 东关街道幸福小区北门 */
                    readonly address_string?: string;
                    /** @example 建国 */
                    readonly first_name?: string;
                    /** @example 刘 */
                    readonly last_name?: string;
                    /** @example 13587654321 */
                    readonly phone?: string;
                    /** @example liu@example.com */
                    readonly email?: string;
                    /**
                     * @description true: the answer adds extended_attributes.access_code
                     * @enum {string}
                     */
                    readonly extensions?: "true" | "false";
                    readonly jurisdiction_id?: string;
                    readonly device_id?: string;
                    readonly account_id?: string;
                    readonly media_url?: string;
                    readonly address_id?: string;
                    /** @description JSON bodies only: the attributes nested */
                    readonly attribute?: {
                        /** @example hd-dg-1 */
                        readonly unit?: string;
                        /** @enum {string} */
                        readonly anonymous?: "true" | "false";
                        readonly title?: string;
                    };
                };
            };
        };
        readonly responses: {
            /** @description filed (or, for a retried Idempotency-Key, the first filing’s answer again) */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly components["schemas"]["Open311Created"][];
                };
            };
            /** @description a wrong field of the form (one error each), an unknown parameter, a bad Idempotency-Key, or a body that cannot be read (the specification’s error list) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 400;
                    })[];
                };
            };
            /** @description no api_key in the form, or one that is unknown or revoked (the specification’s error list) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 403;
                    })[];
                };
            };
            /** @description service_code names no service open to the public (the specification’s error list) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 404;
                    })[];
                };
            };
            /** @description the Idempotency-Key was used before with a different form (the specification’s error list) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 409;
                    })[];
                };
            };
            /** @description the body is larger than 64 KB (the specification’s error list) */
            readonly 413: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 413;
                    })[];
                };
            };
            /** @description the body is no form (application/x-www-form-urlencoded, UTF-8) or JSON (the specification’s error list) */
            readonly 415: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 415;
                    })[];
                };
            };
            /** @description this api_key filed 1000 requests in the last hour: wait for `Retry-After` seconds (the specification’s error list) */
            readonly 429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    readonly "Retry-After"?: number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 429;
                    })[];
                };
            };
            /** @description no database connection within 5 s: wait for `Retry-After` seconds and try again (the specification’s error list) */
            readonly 503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    readonly "Retry-After"?: number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 503;
                    })[];
                };
            };
        };
    };
    readonly open311RequestsXml: {
        readonly parameters: {
            readonly query?: {
                /** @description case numbers, comma-separated (at most 1000): when given, every other filter is ignored */
                readonly service_request_id?: string;
                /** @description service codes, comma-separated (GET services lists them) */
                readonly service_code?: string;
                /** @description open, closed, or both comma-separated */
                readonly status?: string;
                /** @description filed at or after this W3C datetime with a time zone (default: 90 days before end_date) */
                readonly start_date?: string;
                /** @description filed at or before this W3C datetime with a time zone (default: now, or 90 days after start_date); the range spans at most 90 days */
                readonly end_date?: string;
                /** @description taken and ignored: there is one jurisdiction */
                readonly jurisdiction_id?: string;
                /** @description taken and ignored: reading needs no key (filing takes it in the form, never in the URL) */
                readonly api_key?: string;
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the service requests */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "text/xml": string;
                };
            };
            /** @description an unknown parameter, a service code that is not public, a status other than open or closed, a date that is no W3C datetime with a time zone, a range over 90 days (the specification’s error list) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "text/xml": string;
                };
            };
            /** @description no database connection within 5 s: wait for `Retry-After` seconds and try again (the specification’s error list) */
            readonly 503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    readonly "Retry-After"?: number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "text/xml": string;
                };
            };
        };
    };
    readonly open311FileXml: {
        readonly parameters: {
            readonly query?: {
                /** @description taken and ignored: there is one jurisdiction */
                readonly jurisdiction_id?: string;
                /** @description taken and ignored: reading needs no key (filing takes it in the form, never in the URL) */
                readonly api_key?: string;
            };
            readonly header?: {
                /** @description a retry with the same key and form returns the first answer (1-200 characters; per api_key) */
                readonly "Idempotency-Key"?: string;
            };
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/x-www-form-urlencoded": {
                    /**
                     * @description the key an admin made (POST /api/v1/open311/keys)
                     * @example o311_Qm9vdHN0cmFwcGVkS2V5Rm9yVGhlQ2l0eVNlcnZpY2U
                     */
                    readonly api_key: string;
                    /**
                     * @description a service of GET services (another code: 404)
                     * @example risk
                     * @enum {string}
                     */
                    readonly service_code: "suggestion" | "grievance" | "dispute" | "risk" | "hardship" | "visit";
                    /**
                     * @description required: what happened, what is asked
                     * @example 北门台阶破损，雨天容易滑倒。请尽快修补。
                     */
                    readonly description: string;
                    /**
                     * @description required: the community or grid to file to, a value of the unit attribute (GET services/{service_code})
                     * @example hd-dg-1
                     */
                    readonly "attribute[unit]"?: string;
                    /**
                     * @description true: only the filing unit sees the name and phone (default false)
                     * @enum {string}
                     */
                    readonly "attribute[anonymous]"?: "true" | "false";
                    /**
                     * @description the title (default: the description’s first sentence, at most 40 characters)
                     * @example 北门台阶破损
                     */
                    readonly "attribute[title]"?: string;
                    /**
                     * @description WGS84 latitude, with long
                     * @example 36.12
                     */
                    readonly lat?: string;
                    /**
                     * @description WGS84 longitude, with lat
                     * @example 117.21
                     */
                    readonly long?: string;
                    /** @example 东关街道幸福小区北门 */
                    readonly address_string?: string;
                    /** @example 建国 */
                    readonly first_name?: string;
                    /** @example 刘 */
                    readonly last_name?: string;
                    /** @example 13587654321 */
                    readonly phone?: string;
                    /** @example liu@example.com */
                    readonly email?: string;
                    /**
                     * @description true: the answer adds extended_attributes.access_code
                     * @enum {string}
                     */
                    readonly extensions?: "true" | "false";
                    readonly jurisdiction_id?: string;
                    readonly device_id?: string;
                    readonly account_id?: string;
                    readonly media_url?: string;
                    readonly address_id?: string;
                    /** @description JSON bodies only: the attributes nested */
                    readonly attribute?: {
                        /** @example hd-dg-1 */
                        readonly unit?: string;
                        /** @enum {string} */
                        readonly anonymous?: "true" | "false";
                        readonly title?: string;
                    };
                };
                readonly "application/json": {
                    /**
                     * @description the key an admin made (POST /api/v1/open311/keys)
                     * @example o311_Qm9vdHN0cmFwcGVkS2V5Rm9yVGhlQ2l0eVNlcnZpY2U
                     */
                    readonly api_key: string;
                    /**
                     * @description a service of GET services (another code: 404)
                     * @example risk
                     * @enum {string}
                     */
                    readonly service_code: "suggestion" | "grievance" | "dispute" | "risk" | "hardship" | "visit";
                    /**
                     * @description required: what happened, what is asked
                     * @example 北门台阶破损，雨天容易滑倒。请尽快修补。
                     */
                    readonly description: string;
                    /**
                     * @description required: the community or grid to file to, a value of the unit attribute (GET services/{service_code})
                     * @example hd-dg-1
                     */
                    readonly "attribute[unit]"?: string;
                    /**
                     * @description true: only the filing unit sees the name and phone (default false)
                     * @enum {string}
                     */
                    readonly "attribute[anonymous]"?: "true" | "false";
                    /**
                     * @description the title (default: the description’s first sentence, at most 40 characters)
                     * @example 北门台阶破损
                     */
                    readonly "attribute[title]"?: string;
                    /**
                     * @description WGS84 latitude, with long
                     * @example 36.12
                     */
                    readonly lat?: string;
                    /**
                     * @description WGS84 longitude, with lat
                     * @example 117.21
                     */
                    readonly long?: string;
                    /** @example 东关街道幸福小区北门 */
                    readonly address_string?: string;
                    /** @example 建国 */
                    readonly first_name?: string;
                    /** @example 刘 */
                    readonly last_name?: string;
                    /** @example 13587654321 */
                    readonly phone?: string;
                    /** @example liu@example.com */
                    readonly email?: string;
                    /**
                     * @description true: the answer adds extended_attributes.access_code
                     * @enum {string}
                     */
                    readonly extensions?: "true" | "false";
                    readonly jurisdiction_id?: string;
                    readonly device_id?: string;
                    readonly account_id?: string;
                    readonly media_url?: string;
                    readonly address_id?: string;
                    /** @description JSON bodies only: the attributes nested */
                    readonly attribute?: {
                        /** @example hd-dg-1 */
                        readonly unit?: string;
                        /** @enum {string} */
                        readonly anonymous?: "true" | "false";
                        readonly title?: string;
                    };
                };
            };
        };
        readonly responses: {
            /** @description filed (or, for a retried Idempotency-Key, the first filing’s answer again) */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "text/xml": string;
                };
            };
            /** @description a wrong field of the form (one error each), an unknown parameter, a bad Idempotency-Key, or a body that cannot be read (the specification’s error list) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "text/xml": string;
                };
            };
            /** @description no api_key in the form, or one that is unknown or revoked (the specification’s error list) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "text/xml": string;
                };
            };
            /** @description service_code names no service open to the public (the specification’s error list) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "text/xml": string;
                };
            };
            /** @description the Idempotency-Key was used before with a different form (the specification’s error list) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "text/xml": string;
                };
            };
            /** @description the body is larger than 64 KB (the specification’s error list) */
            readonly 413: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "text/xml": string;
                };
            };
            /** @description the body is no form (application/x-www-form-urlencoded, UTF-8) or JSON (the specification’s error list) */
            readonly 415: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "text/xml": string;
                };
            };
            /** @description this api_key filed 1000 requests in the last hour: wait for `Retry-After` seconds (the specification’s error list) */
            readonly 429: {
                headers: {
                    /** @description seconds to wait before trying again */
                    readonly "Retry-After"?: number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "text/xml": string;
                };
            };
            /** @description no database connection within 5 s: wait for `Retry-After` seconds and try again (the specification’s error list) */
            readonly 503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    readonly "Retry-After"?: number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "text/xml": string;
                };
            };
        };
    };
    readonly open311Request: {
        readonly parameters: {
            readonly query?: {
                /** @description taken and ignored: there is one jurisdiction */
                readonly jurisdiction_id?: string;
                /** @description taken and ignored: reading needs no key (filing takes it in the form, never in the URL) */
                readonly api_key?: string;
            };
            readonly header?: never;
            readonly path: {
                /** @description the case number and the format: `{service_request_id}.json` or `.xml` */
                readonly resource: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the service request */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly components["schemas"]["Open311Request"][];
                    readonly "text/xml": string;
                };
            };
            /** @description a query parameter other than jurisdiction_id and api_key, or text that cannot be stored (the specification’s error list) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 400;
                    })[];
                    readonly "text/xml": string;
                };
            };
            /** @description no case a resident filed has this number, or no .json or .xml suffix (the specification’s error list) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 404;
                    })[];
                    readonly "text/xml": string;
                };
            };
            /** @description no database connection within 5 s: wait for `Retry-After` seconds and try again (the specification’s error list) */
            readonly 503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    readonly "Retry-After"?: number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 503;
                    })[];
                    readonly "text/xml": string;
                };
            };
        };
    };
    readonly open311Token: {
        readonly parameters: {
            readonly query?: {
                /** @description taken and ignored: there is one jurisdiction */
                readonly jurisdiction_id?: string;
                /** @description taken and ignored: reading needs no key (filing takes it in the form, never in the URL) */
                readonly api_key?: string;
            };
            readonly header?: never;
            readonly path: {
                /** @description the receipt hash and the format: `{token}.json` or `.xml` */
                readonly resource: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the case the receipt belongs to */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly components["schemas"]["Open311Token"][];
                    readonly "text/xml": string;
                };
            };
            /** @description a query parameter other than jurisdiction_id and api_key, or text that cannot be stored (the specification’s error list) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 400;
                    })[];
                    readonly "text/xml": string;
                };
            };
            /** @description no public filing has this receipt hash, or no .json or .xml suffix (the specification’s error list) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 404;
                    })[];
                    readonly "text/xml": string;
                };
            };
            /** @description no database connection within 5 s: wait for `Retry-After` seconds and try again (the specification’s error list) */
            readonly 503: {
                headers: {
                    /** @description seconds to wait before trying again */
                    readonly "Retry-After"?: number;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly (components["schemas"]["Open311Error"] & {
                        /** @enum {integer} */
                        readonly code?: 503;
                    })[];
                    readonly "text/xml": string;
                };
            };
        };
    };
    readonly open311KeysList: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description every key made, oldest first */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": readonly components["schemas"]["Open311Key"][];
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly open311KeysCreate: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["CreateOpen311KeyDto"];
            };
        };
        readonly responses: {
            /** @description the key, shown this once */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Open311KeyCreated"];
                };
            };
            readonly 400: components["responses"]["InvalidJson"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly open311KeysRevoke: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                /** @description the key’s id */
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description revoked */
            readonly 204: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content?: never;
            };
            readonly 400: components["responses"]["InvalidJson"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly bulletinsList: {
        readonly parameters: {
            readonly query?: {
                /** @description wait (up to 5 s) until the answer includes this global log position, the `position` a command answered */
                readonly minPosition?: number;
                readonly page?: number;
                readonly pageSize?: number;
                /** @description that unit’s subtree */
                readonly unitId?: string;
                /** @description the year of publication */
                readonly year?: number;
                readonly status?: "draft" | "published";
                /** @description answer a spreadsheet of the same rows instead of JSON (API.md "Exports") */
                readonly format?: "xlsx" | "csv";
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description JSON; with format=xlsx or format=csv, a spreadsheet download of the same rows (Chinese column heads) */
            readonly 200: {
                headers: {
                    /** @description with `minPosition`: `caught-up` when the answer includes that position, `stale` when the 5 s wait ran out */
                    readonly "X-Minyi-Consistency"?: "caught-up" | "stale";
                    /** @description with format=xlsx|csv: `attachment` with the file’s Chinese name (RFC 5987 `filename*`), e.g. 统计数据-东关街道-2026-11-02.xlsx */
                    readonly "Content-Disposition"?: string;
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["BulletinList"];
                    readonly "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": string;
                    readonly "text/csv; charset=utf-8": string;
                };
            };
            /** @description a wrong field, or an export of more than the most rows (code `export_too_large`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "export_too_large";
                    };
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            readonly 403: components["responses"]["PasswordChangeRequired"];
            /** @description no such unit (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly bulletinsDraft: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["DraftBulletinDto"];
            };
        };
        readonly responses: {
            /** @description the draft, at revision 0 */
            readonly 201: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["BulletinDraftSaved"];
                };
            };
            /** @description a field the domain refuses: no such unit, no title, no case, a case twice or not readable by you (code `invalid`, `malformed_json`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "invalid" | "malformed_json";
                    };
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description not a coordinator of the unit (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly bulletinsDetail: {
        readonly parameters: {
            readonly query?: {
                /** @description json (default) or html: a printable A4 page */
                readonly format?: "json" | "html";
                /** @description zh-CN (default) or en */
                readonly lang?: "zh-CN" | "en";
            };
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the bulletin as JSON; with format=html, a printable A4 page (UTF-8) */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Bulletin"];
                    readonly "text/html": string;
                };
            };
            readonly 400: components["responses"]["Invalid"];
            readonly 401: components["responses"]["Unauthorized"];
            readonly 403: components["responses"]["PasswordChangeRequired"];
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly bulletinsRevise: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody: {
            readonly content: {
                readonly "application/json": components["schemas"]["ReviseBulletinDto"];
            };
        };
        readonly responses: {
            /** @description the draft as revised */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["BulletinDraftSaved"];
                };
            };
            /** @description a field is missing, invalid or unknown: `details` names each one (code `invalid`, `malformed_json`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "invalid" | "malformed_json";
                    };
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `revision_conflict`, `illegal_transition`, `limit_reached`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "revision_conflict" | "illegal_transition" | "limit_reached";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly bulletinsPublish: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description its number, the same for a repeat */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["PublishedBulletin"];
                };
            };
            /** @description one of its cases is no longer readable by the publisher (`caseIds`) (code `invalid`, `malformed_json`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "invalid" | "malformed_json";
                    };
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            /** @description the record’s state forbids it: `code` says why (code `revision_conflict`) */
            readonly 409: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 409;
                        /** @enum {string} */
                        readonly code?: "revision_conflict";
                    };
                };
            };
            readonly 413: components["responses"]["TooLarge"];
            readonly 415: components["responses"]["NotJson"];
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly bulletinsVerify: {
        readonly parameters: {
            readonly query?: never;
            readonly header?: never;
            readonly path: {
                readonly id: string;
            };
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description ok, or where the record stops being whole */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["StreamVerification"];
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            readonly 403: components["responses"]["PasswordChangeRequired"];
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly casesSimilar: {
        readonly parameters: {
            readonly query: {
                /** @description the draft’s title */
                readonly title: string;
                /** @description the draft’s description (its first 1,000 characters) */
                readonly description?: string;
                /** @description only cases that have been in this unit’s subtree (within yours; default: your whole subtree) */
                readonly unitId?: string;
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the open cases most like the draft, most similar first */
            readonly 200: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["SimilarCases"];
                };
            };
            readonly 400: components["responses"]["Invalid"];
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
    readonly statsHotspots: {
        readonly parameters: {
            readonly query?: {
                /** @description wait (up to 5 s) until the answer includes this global log position, the `position` a command answered */
                readonly minPosition?: number;
                /** @description start of the period, included: an ISO 8601 time with an offset, or a date YYYY-MM-DD (its start in Asia/Shanghai) (default: 1 January of the year of to) */
                readonly from?: string;
                /** @description end of the period, excluded: an ISO 8601 time with an offset, or a date YYYY-MM-DD (its start in Asia/Shanghai) (default: now) */
                readonly to?: string;
                /** @description answer a spreadsheet of the same rows instead of JSON (API.md "Exports") */
                readonly format?: "xlsx" | "csv";
                /** @description the unit whose subtree is counted (default: your unit) */
                readonly unitId?: string;
                /** @description how many terms (default 20) */
                readonly limit?: number;
            };
            readonly header?: never;
            readonly path?: never;
            readonly cookie?: never;
        };
        readonly requestBody?: never;
        readonly responses: {
            /** @description the terms, most cases first */
            readonly 200: {
                headers: {
                    /** @description with `minPosition`: `caught-up` when the answer includes that position, `stale` when the 5 s wait ran out */
                    readonly "X-Minyi-Consistency"?: "caught-up" | "stale";
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["Hotspots"];
                };
            };
            /** @description a field is missing, invalid or unknown: `details` names each one (code `invalid`) */
            readonly 400: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 400;
                        /** @enum {string} */
                        readonly code?: "invalid";
                    };
                };
            };
            readonly 401: components["responses"]["Unauthorized"];
            /** @description the role may not do this, or the case or unit is outside the user’s scope (code `forbidden`, `password_change_required`) */
            readonly 403: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 403;
                        /** @enum {string} */
                        readonly code?: "forbidden" | "password_change_required";
                    };
                };
            };
            /** @description not found, or outside the user’s scope (code `not_found`) */
            readonly 404: {
                headers: {
                    readonly [name: string]: unknown;
                };
                content: {
                    readonly "application/json": components["schemas"]["ErrorBody"] & {
                        /** @enum {integer} */
                        readonly statusCode?: 404;
                        /** @enum {string} */
                        readonly code?: "not_found";
                    };
                };
            };
            readonly 503: components["responses"]["Unavailable"];
        };
    };
}
