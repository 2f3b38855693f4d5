import { BadRequestException, ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';

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

/** Deeper than any request of the API nests (parties.0.name is three); more is not a request but an attack on the stack. */
export const MAX_INPUT_DEPTH = 16;
/** Enough problems to fix a request by; a hostile body could otherwise make the answer as large as itself. */
const MAX_PROBLEMS = 20;
/** Names every plain object has (constructor, toString, __proto__, ...): as field names they would slip past the DTOs' whitelist. */
const INHERITED_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));
/** A UTF-16 surrogate without its partner: no character at all, and PostgreSQL refuses it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must be well-formed Unicode text (it holds a lone surrogate)';
  return null;
}

/**
 * What no DTO can accept, found before class-transformer and class-validator see the input:
 * text PostgreSQL cannot store (NUL, lone surrogates), nesting deep enough to overflow their
 * recursion, and field names inherited from Object.prototype, which they mistake for known
 * ones. Walks without recursion, so no input can overflow the walk itself.
 */
export function inputProblems(input: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const pending: { value: unknown; field: string; depth: number }[] = [{ value: input, field: '', depth: 0 }];
  while (pending.length > 0 && problems.length < MAX_PROBLEMS) {
    const { value, field, depth } = pending.pop()!;
    if (typeof value === 'string') {
      const message = textProblem(value);
      if (message) problems.push({ field: field || 'body', message });
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_INPUT_DEPTH) {
      problems.push({ field: field || 'body', message: `nests deeper than ${MAX_INPUT_DEPTH} levels` });
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      const path = field ? `${field}.${key}` : key;
      // No DTO has such a field, and a name PostgreSQL cannot store is no field of any.
      if (INHERITED_NAMES.has(key) || textProblem(key)) problems.push({ field: path, message: 'unknown field' });
      else pending.push({ value: child, field: path, depth: depth + 1 });
    }
  }
  return problems;
}

function badRequest(details: readonly FieldProblem[]): BadRequestException {
  return new BadRequestException({
    message: `invalid request: ${details.map((d) => d.field).filter((f, i, all) => all.indexOf(f) === i).join(', ')}`,
    details,
  });
}

/**
 * The global pipe: screens bodies and query strings for what no DTO accepts (inputProblems),
 * reads a blank query parameter (`?status=`, as forms and URL templates send them) as one left
 * out, then lets class-validator reject unknown fields and name every wrong one.
 */
class RequestValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const problems = inputProblems(value);
      if (problems.length > 0) throw badRequest(problems);
    }
    if (metadata.type === 'query' && typeof value === 'object' && value !== null) value = withoutBlanks(value);
    return super.transform(value, metadata);
  }
}

/** The query without its blank parameters: `?status=` and `?status=&status=` leave status out, `?status=&status=filed` is `filed`. */
function withoutBlanks(query: object): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query)) {
    const given = Array.isArray(value) ? value.filter((v) => v !== '') : value;
    if (given === '' || (Array.isArray(given) && given.length === 0)) continue;
    kept[name] = Array.isArray(given) && given.length === 1 ? given[0] : given;
  }
  return kept;
}

/** Rejects unknown fields and names every wrong one; nothing reaches a handler unvalidated. */
export function createValidationPipe(): ValidationPipe {
  return new RequestValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => badRequest(fieldProblems(errors)),
  });
}
