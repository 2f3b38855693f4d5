import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ACCOUNT_EVENT_TYPES, type AccountEventType, type PublicUser } from '#accounts';
import { ROLES, type Role } from '#domain';
import type { EventMetadata } from '#event-store';
import { INTEGER } from '../openapi/properties.js';

/** The answers of the accounts routes (`/api/v1/users`, and the account in `/me` and the login's answer). */


/** An account as the admin's list and commands show it: never a password or its hash. */
@ApiSchema({ name: 'Account' })
export class AccountDto implements PublicUser {
  @ApiProperty({ format: 'uuid', example: '0191c2a4-5b6e-7c3d-8e9f-0a1b2c3d4e5f' }) id!: string;
  @ApiProperty({ description: 'lower case: letters, digits, ".", "_" or "-"', example: 'hd-dg-1.clerk' }) username!: string;
  @ApiProperty({ example: '东关社区信息员' }) displayName!: string;
  @ApiProperty({ enum: ROLES, isArray: true, description: '`admin` stands alone', example: ['clerk'] }) roles!: readonly Role[];
  @ApiProperty({ description: 'the unit the account works at', example: 'hd-dg-1' }) unitId!: string;
  @ApiProperty({ description: 'false once disabled: it cannot log in' }) enabled!: boolean;
}

/** `GET /api/v1/users`: a page of the accounts of the admin's subtree, by username. */
@ApiSchema({ name: 'AccountPage' })
export class AccountPageDto {
  @ApiProperty({ type: [AccountDto] }) items!: readonly AccountDto[];
  @ApiProperty({ ...INTEGER, minimum: 0, description: 'how many accounts match, on every page', example: 13 }) total!: number;
  @ApiProperty({ ...INTEGER, minimum: 1, example: 1 }) page!: number;
  @ApiProperty({ ...INTEGER, minimum: 1, example: 20 }) pageSize!: number;
}

/** `POST /api/v1/users/{id}/reset-password`: shown this once. */
@ApiSchema({ name: 'TemporaryPassword' })
export class TemporaryPasswordDto {
  @ApiProperty({ description: 'hand it to the person: the next login with it must choose a new password', example: 'q3Zt8LmN0xWb4YcR' })
  temporaryPassword!: string;
}

/** What an account event records: the fields of its type, never a password or its hash. */
@ApiSchema({ name: 'AccountEventData' })
export class AccountEventDataDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'UserCreated' }) userId?: string;
  @ApiPropertyOptional({ description: 'UserCreated', example: 'hd-ll-1.clerk' }) username?: string;
  @ApiPropertyOptional({ description: 'UserCreated; UserUpdated when it changed', example: '柳林村信息员' }) displayName?: string;
  @ApiPropertyOptional({ enum: ROLES, isArray: true, description: 'UserCreated; UserUpdated when they changed', example: ['clerk'] }) roles?: readonly Role[];
  @ApiPropertyOptional({ description: 'UserCreated; UserUpdated when it changed', example: 'hd-ll-1' }) unitId?: string;
  @ApiPropertyOptional({ description: 'UserDisabled', example: '调离岗位' }) reason?: string;
}

/** Who recorded an account event, when, and in which request. */
@ApiSchema({ name: 'AccountEventMetadata' })
export class AccountEventMetadataDto implements EventMetadata {
  @ApiProperty({ description: 'the acting user’s id, or `system` (start-up, the command line)', example: '0191c2a4-5b6e-7c3d-8e9f-0a1b2c3d4e5f' }) actorId!: string;
  @ApiProperty({ enum: [...ROLES, 'system'], description: 'the role the actor acted in' }) actorRole!: string;
  @ApiProperty({ type: String, nullable: true, description: 'the acting user’s unit; null for the system', example: 'sf' }) unitId!: string | null;
  @ApiProperty({ format: 'date-time', description: 'when it was recorded' }) at!: string;
  @ApiProperty({ description: 'the request (or start-up step) that made the change', example: '0191c2a4-9d8e-7f6a-8b5c-4d3e2f1a0b9c' }) correlationId!: string;
  @ApiProperty({ type: String, nullable: true }) causationId!: string | null;
  @ApiPropertyOptional({ description: 'the client’s `X-Request-Id`, when it sent one' }) clientRequestId?: string;
}

/** One event of an account's hash-chained stream. */
@ApiSchema({ name: 'AccountHistoryEvent' })
export class AccountHistoryEventDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ ...INTEGER, minimum: 0, description: 'the event’s number in the account’s stream, from 0' }) revision!: number;
  @ApiProperty({ ...INTEGER, minimum: 0, description: 'the global log position' }) position!: number;
  @ApiProperty({ enum: ACCOUNT_EVENT_TYPES }) type!: AccountEventType;
  @ApiProperty({ ...INTEGER, minimum: 1 }) schemaVersion!: number;
  @ApiProperty({ type: AccountEventDataDto }) data!: AccountEventDataDto;
  @ApiProperty({ type: AccountEventMetadataDto }) metadata!: AccountEventMetadataDto;
  @ApiProperty({ type: String, nullable: true, description: 'hex SHA-256 of the stream’s previous event; null for revision 0' }) prevHash!: string | null;
  @ApiProperty({ description: 'hex SHA-256 of this event, chained to prevHash' }) hash!: string;
}

/** `GET /api/v1/users/{id}/history`: a page of the account's events. */
@ApiSchema({ name: 'AccountHistory' })
export class AccountHistoryDto {
  @ApiProperty({ type: [AccountHistoryEventDto], description: 'oldest first' }) events!: readonly AccountHistoryEventDto[];
  @ApiPropertyOptional({ ...INTEGER, minimum: 0, description: 'where the next page starts (`fromRevision`); absent on the last page' }) nextRevision?: number;
}
