import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** Flattens class-validator's tree into one entry per wrong field, named by its path (`filer.phone`). */
export function fieldProblems(errors: readonly ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      // whitelist rejections read "property x should not exist"; say it plainly.
      message: message.startsWith('property ') && message.endsWith(' should not exist') ? 'unknown field' : message,
    }));
    return [...own, ...fieldProblems(error.children ?? [], field)];
  });
}

/** Rejects unknown fields and names every wrong one; nothing reaches a handler unvalidated. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = fieldProblems(errors);
      return new BadRequestException({
        message: `invalid request: ${details.map((d) => d.field).filter((f, i, all) => all.indexOf(f) === i).join(', ')}`,
        details,
      });
    },
  });
}
