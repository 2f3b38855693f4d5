export { CASE_STATS_READ_MODEL, CaseStatsProjection } from './case-stats.projection.js';
export { CaseStatistics } from './case-statistics.js';
export type { ReportScope } from './case-statistics.js';
export type { ReportingPeriod } from './reporting-period.js';
export type { ByKind, Figures, MonthFigures } from './statistics.js';
export type { ClerkAppraisal } from './appraisal.js';
export { ReportingModule } from './reporting.module.js';
