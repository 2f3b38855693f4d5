import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type pg from 'pg';
import type { Principal } from '#accounts';
import { AttachmentIntake, verifyStoreAndFiles } from '#attachments';
import { CaseDirectory } from '#cases';
import { MAIN_POOL } from '#database';
import { ORG_TREE, type OrgTree } from '#domain';
import { EVENT_STORE, type EventStoreAudit, type StoreAnchor } from '#event-store';
import { CurrentUser, Roles } from '../auth/auth.guard.js';
import { Refuses } from '../openapi/refusals.js';
import { AnchorQuery } from './audit.dto.js';
import { AuditAnchorDto, StoreVerificationDto } from './audit.responses.js';
import { oneWalkAtATime } from './one-at-a-time.js';

/** A broken stream as the API reports it: the case behind it, when the stream is a case the read model knows. */
export interface BrokenStreamView {
  readonly streamId: string;
  readonly revision: number;
  readonly problem: string;
  readonly caseId: string | null;
  readonly caseNumber: string | null;
  /** For a changed or missing file (`problem: "attachment"`): which attachment, and how. */
  readonly attachmentId?: string;
  readonly status?: 'changed' | 'missing' | 'unreadable';
  readonly message?: string;
}

/**
 * Whole-store verification and anchors, for auditors and admins (anyone else: 403).
 *
 * Who sees what. Integrity is a property of the whole log: a walk over part of it could not show
 * that events were removed elsewhere. So every call walks every stream, and `ok`, `streams` and
 * `events` always describe the whole store. The broken streams listed are those the caller may
 * read, by the rule for cases (a unit the case has been at lies in the caller's subtree); callers
 * at the root unit see every broken stream, including streams that are not cases.
 * `brokenOutsideScope` counts the others: an auditor below the root learns that something is
 * wrong elsewhere, and can tell someone above, without learning which cases.
 *
 * An anchor is a single digest over every stream and names no case, so any auditor or admin may
 * take one.
 *
 * Both walk the whole store, so they run one at a time per installation (across every API
 * process): a call while another runs answers 429 `busy` with Retry-After.
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit')
@Roles('auditor', 'admin')
@Refuses({ 403: ['forbidden'], 429: ['busy'] }, { 403: 'not an auditor or admin', 429: 'another whole-store walk is running: wait for `Retry-After` seconds' })
export class AuditController {
  constructor(
    @Inject(EVENT_STORE) private readonly audit: EventStoreAudit,
    @Inject(ORG_TREE) private readonly org: OrgTree,
    @Inject(MAIN_POOL) private readonly pool: pg.Pool,
    private readonly directory: CaseDirectory,
    private readonly attachments: AttachmentIntake,
  ) {}

  @Get('verify')
  @ApiOperation({ summary: 'Check every stream’s hash chain and head row; list the broken streams in scope (auditors and admins)' })
  @ApiOkResponse({ type: StoreVerificationDto, description: 'the whole store walked; the broken streams in the caller’s scope' })
  async verify(@CurrentUser() user: Principal): Promise<StoreVerificationDto> {
    const result = await oneWalkAtATime(this.pool, () => verifyStoreAndFiles(this.audit, (sha256) => this.attachments.rehash(sha256)));
    const cases = await this.directory.byStreamIds(result.broken.map((b) => b.streamId));
    const { org } = this;
    const atRoot = user.unitId === org.root.id;
    const broken: BrokenStreamView[] = [];
    for (const { streamId, revision, problem, ...file } of result.broken) {
      const entry = cases.get(streamId);
      const inScope = atRoot || (entry?.unitsVisited.some((unitId) => org.has(unitId) && org.isWithin(unitId, user.unitId)) ?? false);
      if (inScope) broken.push({ streamId, revision, problem, caseId: entry?.id ?? null, caseNumber: entry?.number ?? null, ...file });
    }
    return { ok: result.ok, streams: result.streams, events: result.events, files: result.files, broken, brokenOutsideScope: result.broken.length - broken.length };
  }

  @Get('anchor')
  @ApiOperation({ summary: 'A digest of every stream’s head at a position of the log, to keep elsewhere and check later (auditors and admins)' })
  @ApiOkResponse({ type: AuditAnchorDto, description: 'the anchor at the position asked, or at the settled head of the log' })
  @Refuses(
    { 404: ['not_found'], 409: ['not_settled'] },
    { 404: 'no event has that position (`details` name `position`)', 409: 'a transaction that may still land before that position is open' },
  )
  async anchor(@Query() query: AnchorQuery): Promise<StoreAnchor> {
    const { anchor } = await oneWalkAtATime(this.pool, () => this.audit.verifyAll({ anchor: query.position === undefined ? 'head' : { position: query.position } }));
    return anchor!;
  }
}
