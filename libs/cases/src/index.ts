export { caseStreamId, caseIdOf, isCaseStream, loadCase, toCaseEvent } from './case-stream.js';
export type { LoadedCase } from './case-stream.js';
export { CaseNumbers } from './case-numbers.js';
export { ExecuteCaseCommand, ExecuteCaseCommandHandler } from './execute-case-command.js';
export type { CaseCommandResult } from './execute-case-command.js';
export { CaseReadModelProjection } from './case-read-model.projection.js';
export { CaseQueries } from './case-queries.js';
export type { CaseList, CaseListFilter, CaseListItem, InboxQuery } from './case-queries.js';
export { CASE_NUMBERS, DATABASE_POOL, EVENT_STORE, ORG_TREE } from './tokens.js';
