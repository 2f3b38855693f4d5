import { BadRequestException } from '@nestjs/common';

/** The `Idempotency-Key` header as filing takes it: absent, or 1-200 characters (else 400 naming the header). */
export function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (header.length === 0 || header.length > 200) {
    throw new BadRequestException({ message: 'Idempotency-Key must be 1-200 characters', details: [{ field: 'Idempotency-Key', message: 'must be 1-200 characters' }] });
  }
  return header;
}
