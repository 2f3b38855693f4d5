import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsDefined, IsIn, IsInt, IsISO8601, IsNotEmpty, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { PHONE_PATTERN } from '#domain';

/**
 * Field decorators that validate and document in one line, so a DTO reads as its contract:
 * what the field is, whether it may be left out, and its limits.
 */
interface FieldOptions {
  readonly optional?: boolean;
  readonly description?: string;
  readonly example?: unknown;
}

function documented(options: FieldOptions, schema: Record<string, unknown>): PropertyDecorator {
  const doc = { description: options.description, example: options.example, ...schema };
  return options.optional
    ? applyDecorators(IsOptional(), ApiPropertyOptional(doc))
    : applyDecorators(ApiProperty(doc), IsDefined({ message: 'is required' }));
}

/** Non-blank text of at most `max` characters. */
export function Text(max: number, options: FieldOptions = {}): PropertyDecorator {
  return applyDecorators(
    documented(options, { type: String, minLength: 1, maxLength: max }),
    IsString({ message: 'must be text' }),
    Matches(/\S/, { message: 'must not be blank' }),
    MaxLength(max, { message: `must be at most ${max} characters` }),
  );
}

/** A phone number: digits, optionally with + - and spaces. */
export function Phone(options: FieldOptions = {}): PropertyDecorator {
  return applyDecorators(
    documented(options, { type: String, maxLength: 20 }),
    IsString({ message: 'must be text' }),
    Matches(PHONE_PATTERN, { message: 'must be a phone number (digits, optionally with + - and spaces)' }),
  );
}

/** One of a fixed list of values. */
export function OneOf(values: readonly string[], options: FieldOptions = {}): PropertyDecorator {
  return applyDecorators(documented(options, { enum: values }), IsIn(values as string[], { message: `must be one of: ${values.join(', ')}` }));
}

export function Flag(options: FieldOptions = {}): PropertyDecorator {
  return applyDecorators(documented(options, { type: Boolean }), IsBoolean({ message: 'must be true or false' }));
}

export function WholeNumber(min: number, max: number, options: FieldOptions = {}): PropertyDecorator {
  return applyDecorators(
    documented(options, { type: Number, minimum: min, maximum: max }),
    IsInt({ message: 'must be a whole number' }),
    Min(min, { message: `must be at least ${min}` }),
    Max(max, { message: `must be at most ${max}` }),
  );
}

export function Coordinate(min: number, max: number, options: FieldOptions = {}): PropertyDecorator {
  return applyDecorators(
    documented(options, { type: Number, minimum: min, maximum: max }),
    IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a number' }),
    Min(min, { message: `must be at least ${min}` }),
    Max(max, { message: `must be at most ${max}` }),
  );
}

/** An ISO 8601 time with an offset. */
export function Instant(options: FieldOptions = {}): PropertyDecorator {
  return applyDecorators(
    documented(options, { type: String, format: 'date-time' }),
    IsISO8601({ strict: true }, { message: 'must be an ISO 8601 time' }),
    Matches(/(Z|[+-]\d{2}:\d{2})$/, { message: 'must carry a time zone offset (Z or +08:00)' }),
  );
}

/** A nested object (or, with `each`, a list of them), validated by its own DTO. */
export function Nested(type: () => new () => object, options: FieldOptions & { each?: boolean; maxItems?: number } = {}): PropertyDecorator {
  return applyDecorators(
    documented(options, { type: options.each ? [type()] : type(), ...(options.maxItems ? { maxItems: options.maxItems } : {}) }),
    ValidateNested({ each: options.each }),
    Type(type),
    ...(options.each
      ? [IsArray({ message: 'must be a list' }), ArrayMaxSize(options.maxItems ?? 100, { message: `must have at most ${options.maxItems ?? 100} entries` })]
      : [IsNotEmpty({ message: 'is required' })]),
  );
}

/** `expectedRevision`: the case revision the client last saw; a stale one is 409 revision_conflict. */
export class RevisionDto {
  @WholeNumber(0, 2_000_000_000, { optional: true, description: 'the case revision the client last saw' })
  expectedRevision?: number;
}
