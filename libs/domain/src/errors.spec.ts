import { describe, expect, it } from '@jest/globals';
import { DomainError, ForbiddenError, IllegalTransitionError, InvalidError, LimitReachedError, NotFoundError } from './errors.js';

describe('domain errors', () => {
  it.each([
    [new IllegalTransitionError('a closed case cannot be accepted'), 'illegal_transition', 'IllegalTransitionError'],
    [new ForbiddenError('role auditor may not accept a case'), 'forbidden', 'ForbiddenError'],
    [new NotFoundError('unit', 'nowhere'), 'not_found', 'NotFoundError'],
    [new InvalidError('workingDays', 'at least 1'), 'invalid', 'InvalidError'],
    [new LimitReachedError('notes', 2000, 'case MY-1 already holds 2000 notes'), 'limit_reached', 'LimitReachedError'],
  ])('%s carries code %s and its own name', (error, code, name) => {
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
  });

  it('names what was not found, and which field is invalid', () => {
    expect(new NotFoundError('case', 'c-1')).toMatchObject({ entity: 'case', id: 'c-1', message: 'unknown case c-1' });
    expect(new InvalidError('toUnitId', 'a case cannot be transferred to the unit it is already at')).toMatchObject({ field: 'toUnitId' });
  });
});
