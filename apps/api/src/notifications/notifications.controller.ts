import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsUUID } from 'class-validator';
import type { FastifyReply } from 'fastify';
import type { Principal } from '#accounts';
import { CurrentUser } from '../auth/auth.guard.js';
import { OneOf, WholeNumber } from '../http/fields.js';
import { answerWhenCaughtUp, MinPositionQuery } from '../http/read-your-writes.js';
import { InAppBacklog, InAppNotifications, NOTIFYING_EVENT_TYPES } from '#notifications';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;
const MAX_IDS = 500;

export class ListNotificationsQuery extends MinPositionQuery {
  @OneOf(['true', 'false'], { optional: true, description: 'only unread notifications' })
  unread?: 'true' | 'false';

  @WholeNumber(1, MAX_LIMIT, { optional: true, description: `at most this many (default ${DEFAULT_LIMIT})` })
  @Type(() => Number)
  limit?: number;

  @IsOptional()
  @IsUUID('all', { message: 'must be a notification id' })
  @ApiPropertyOptional({ format: 'uuid', description: 'the last id of the previous page: only older notifications follow' })
  before?: string;
}

export class MarkReadDto {
  @IsOptional()
  @IsArray({ message: 'must be a list' })
  @ArrayMaxSize(MAX_IDS, { message: `must have at most ${MAX_IDS} entries` })
  @IsUUID('all', { each: true, message: 'each entry must be a notification id' })
  @ApiPropertyOptional({ type: [String], maxItems: MAX_IDS, description: 'the notifications to mark read; all of mine when left out' })
  ids?: string[];
}

const NOTIFICATION_TYPES = [...NOTIFYING_EVENT_TYPES, 'BulletinPublished'];

export class NotificationEventDto {
  @ApiProperty({ enum: NOTIFICATION_TYPES }) type!: string;
  @ApiProperty() revision!: number;
  @ApiProperty({ description: 'the global log position' }) position!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

/** One in-app notification: of a case's event, or (`type: BulletinPublished`) of a bulletin's publication. */
export class NotificationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'the same in the webhook and the e-mail of this notification' }) deliveryId!: string;
  @ApiProperty({ enum: NOTIFICATION_TYPES, description: 'switch on it: a BulletinPublished notification names a bulletin, not a case' }) type!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'null for BulletinPublished' }) caseId!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'MY-2026-000042', description: 'null for BulletinPublished' }) caseNumber!: string | null;
  @ApiPropertyOptional({ format: 'uuid', description: 'only for BulletinPublished: the bulletin published' }) bulletinId?: string;
  @ApiProperty() unitId!: string;
  @ApiProperty({ description: 'in Chinese, as texts["zh-CN"]' }) text!: string;
  @ApiProperty({ type: 'object', properties: { 'zh-CN': { type: 'string' }, en: { type: 'string' } } }) texts!: Record<string, string>;
  @ApiProperty({ type: NotificationEventDto }) event!: NotificationEventDto;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) readAt!: string | null;
}

export class NotificationListDto {
  @ApiProperty({ type: [NotificationDto] }) items!: NotificationDto[];
  @ApiProperty({ description: 'how many of mine are unread' }) unreadCount!: number;
}

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('api/v1/notifications')
export class NotificationsController {
  constructor(
    private readonly notifications: InAppNotifications,
    private readonly inAppBacklog: InAppBacklog,
  ) {}

  @Get()
  @ApiOperation({ summary: 'My in-app notifications, newest first, with the number still unread' })
  @ApiOkResponse({ type: NotificationListDto })
  async list(@CurrentUser() user: Principal, @Query() query: ListNotificationsQuery, @Res({ passthrough: true }) response: FastifyReply) {
    const { notifications, inAppBacklog } = this;
    await answerWhenCaughtUp(query.minPosition, response, (position, timeoutMs) => inAppBacklog.waitFor(position, timeoutMs));
    return notifications.page(user.userId, { unreadOnly: query.unread === 'true', limit: query.limit ?? DEFAULT_LIMIT, before: query.before });
  }

  @Post('read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark my notifications read: the listed ids, or all when `ids` is left out' })
  async markRead(@CurrentUser() user: Principal, @Body() body: MarkReadDto) {
    // Validation lets an optional field be null; null means "not given", as leaving it out does.
    const updated = await this.notifications.markRead(user.userId, body.ids ?? 'all');
    return { updated };
  }
}
