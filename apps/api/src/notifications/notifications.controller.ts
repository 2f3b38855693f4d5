import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiSchema, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsUUID } from 'class-validator';
import type { FastifyReply } from 'fastify';
import type { Principal } from '#accounts';
import { CurrentUser } from '../auth/auth.guard.js';
import { OneOf, WholeNumber } from '../http/fields.js';
import { CONSISTENCY_HEADER, answerWhenCaughtUp, MinPositionQuery } from '../http/read-your-writes.js';
import type { Language } from '#domain';
import { InAppBacklog, InAppNotifications, NOTIFYING_EVENT_TYPES, type InAppNotification, type NotificationEventRef, type NotificationType } from '#notifications';

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

const NOTIFICATION_TYPES: readonly NotificationType[] = [...NOTIFYING_EVENT_TYPES, 'BulletinPublished'];

/** The event a notification comes from. */
@ApiSchema({ name: 'NotificationEvent' })
export class NotificationEventDto implements NotificationEventRef {
  @ApiProperty({ enum: NOTIFICATION_TYPES }) type!: NotificationType;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'the event’s revision in its case’s (or bulletin’s) stream' }) revision!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'the global log position' }) position!: number;
  @ApiProperty({ format: 'date-time', description: 'when the event was recorded' }) at!: string;
}

/** The notification's line in each language of the console. */
@ApiSchema({ name: 'NotificationTexts' })
export class NotificationTextsDto implements Readonly<Record<Language, string>> {
  @ApiProperty({ example: '案件 MY-2026-000042「小区停车位纠纷」已在东关社区登记，请及时受理' }) 'zh-CN'!: string;
  @ApiProperty({ example: 'Case MY-2026-000042 "小区停车位纠纷" was filed at 东关社区; please accept it' }) en!: string;
}

/** One in-app notification: of a case's event, or (`type: BulletinPublished`) of a bulletin's publication. */
@ApiSchema({ name: 'Notification' })
export class NotificationDto implements InAppNotification {
  @ApiProperty({ format: 'uuid', description: 'this notification of this user (`before`, `ids`)' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'the same in the webhook and the e-mail of this notification' }) deliveryId!: string;
  @ApiProperty({ enum: NOTIFICATION_TYPES, description: 'switch on it: a BulletinPublished notification names a bulletin, not a case' }) type!: NotificationType;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'null for BulletinPublished' }) caseId!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'MY-2026-000042', description: 'null for BulletinPublished' }) caseNumber!: string | null;
  @ApiPropertyOptional({ format: 'uuid', description: 'only for BulletinPublished: the bulletin published' }) bulletinId?: string;
  @ApiProperty({ description: 'the case’s unit after the event (a bulletin’s own unit)', example: 'hd-dg-1' }) unitId!: string;
  @ApiProperty({ description: 'in Chinese, as texts["zh-CN"]', example: '案件 MY-2026-000042「小区停车位纠纷」已在东关社区登记，请及时受理' }) text!: string;
  @ApiProperty({ type: NotificationTextsDto }) texts!: NotificationTextsDto;
  @ApiProperty({ type: NotificationEventDto }) event!: NotificationEventDto;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'null while unread' }) readAt!: string | null;
}

@ApiSchema({ name: 'NotificationList' })
export class NotificationListDto {
  @ApiProperty({ type: [NotificationDto], description: 'newest first' }) items!: NotificationDto[];
  @ApiProperty({ type: 'integer', minimum: 0, description: 'how many of mine are unread' }) unreadCount!: number;
}

@ApiSchema({ name: 'NotificationsRead' })
export class NotificationsReadDto {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'how many of those were unread and are read now', example: 3 }) updated!: number;
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
  @ApiOkResponse({
    type: NotificationListDto,
    description: 'a page of my notifications and the count of unread ones',
    headers: CONSISTENCY_HEADER,
  })
  async list(@CurrentUser() user: Principal, @Query() query: ListNotificationsQuery, @Res({ passthrough: true }) response: FastifyReply): Promise<NotificationListDto> {
    const { notifications, inAppBacklog } = this;
    await answerWhenCaughtUp(query.minPosition, response, (position, timeoutMs) => inAppBacklog.waitFor(position, timeoutMs));
    return notifications.page(user.userId, { unreadOnly: query.unread === 'true', limit: query.limit ?? DEFAULT_LIMIT, before: query.before });
  }

  @Post('read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark my notifications read: the listed ids, or all when `ids` is left out' })
  @ApiOkResponse({ type: NotificationsReadDto, description: 'how many were marked read (ids not mine, or read already, are left alone)' })
  async markRead(@CurrentUser() user: Principal, @Body() body: MarkReadDto): Promise<NotificationsReadDto> {
    // Validation lets an optional field be null; null means "not given", as leaving it out does.
    const updated = await this.notifications.markRead(user.userId, body.ids ?? 'all');
    return { updated };
  }
}
