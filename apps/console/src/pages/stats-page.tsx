import { CASE_KINDS } from '#domain';
import { ApiError, get } from '../api/client.js';
import type { Stats } from '../api/types.js';
import { ErrorNotice, ExportButton, Loading, PageHeader } from '../components.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import { useResource } from '../use-resource.js';
import { PeriodForm, periodQuery, usePeriod } from './period-filters.js';

const RATES: readonly { key: 'responseRate' | 'resolutionRate' | 'satisfactionRate' | 'selfRatedSatisfactionRate' | 'onTimeRate'; label: MessageKey }[] = [
  { key: 'responseRate', label: 'stats.responseRate' },
  { key: 'resolutionRate', label: 'stats.resolutionRate' },
  { key: 'satisfactionRate', label: 'stats.satisfactionRate' },
  { key: 'selfRatedSatisfactionRate', label: 'stats.selfRatedSatisfactionRate' },
  { key: 'onTimeRate', label: 'stats.onTimeRate' },
];

const SERIES = [
  { key: 'filed', label: 'stats.series.filed' },
  { key: 'resolved', label: 'stats.series.resolved' },
  { key: 'annotated', label: 'stats.series.annotated' },
] as const satisfies readonly { key: string; label: MessageKey }[];

/**
 * Figures for a unit's subtree over a period: totals, the four rates and the residents' own rating, cases by kind and by month.
 * Charts are plain SVG and CSS, each with its figures as a table beside it.
 */
export function StatsPage() {
  const { t } = useI18n();
  const { draft, setDraft, period, apply } = usePeriod();
  const query = periodQuery(period);
  const stats = useResource((signal) => get<Stats>('/api/v1/stats', query, signal), [period.unitId, period.from, period.to]);
  const unavailable = stats.error instanceof ApiError && stats.error.status === 404 && stats.error.code !== 'not_found';

  return (
    <div className="page">
      <PageHeader
        title={t('stats.title')}
        intro={t('stats.intro')}
        actions={<ExportButton path="/api/v1/stats" query={query} fallbackName={t('stats.title')} />}
      />
      <PeriodForm draft={draft} setDraft={setDraft} apply={apply} />
      {unavailable ? (
        <div className="notice notice-info" role="status" data-testid="stats-unavailable">
          <p className="notice-title">{t('stats.unavailable')}</p>
          <p>{t('stats.unavailableBody')}</p>
        </div>
      ) : stats.error !== undefined ? (
        <ErrorNotice error={stats.error} />
      ) : !stats.data ? (
        <Loading lines={6} />
      ) : (
        <StatsFigures stats={stats.data} />
      )}
    </div>
  );
}

function StatsFigures({ stats }: { readonly stats: Stats }) {
  const { t } = useI18n();
  return (
    <div className="stats" data-testid="stats">
      <ul className="tiles">
        <Tile label={t('stats.filed')} value={stats.filed.total} />
        <Tile label={t('stats.resolved')} value={stats.resolved} />
        <Tile label={t('stats.disputesResolved')} value={stats.disputesResolved} />
        <Tile label={t('stats.annotated')} value={stats.annotated} />
      </ul>
      <section className="card" aria-labelledby="rates-title">
        <h2 id="rates-title">{t('stats.rates')}</h2>
        <ul className="gauges">
          {RATES.map((rate) => (
            <Gauge key={rate.key} label={t(rate.label)} rate={stats[rate.key]} />
          ))}
        </ul>
      </section>
      <div className="stats-grid">
        <section className="card" aria-labelledby="by-kind-title">
          <h2 id="by-kind-title">{t('stats.byKind')}</h2>
          {stats.filed.total === 0 ? <p className="empty">{t('stats.noData')}</p> : <KindBars counts={stats.filed.byKind} />}
        </section>
        <section className="card" aria-labelledby="by-month-title">
          <h2 id="by-month-title">{t('stats.byMonth')}</h2>
          {stats.byMonth.length === 0 ? (
            <p className="empty">{t('stats.noData')}</p>
          ) : (
            <MonthColumns months={stats.byMonth} />
          )}
        </section>
      </div>
    </div>
  );
}

function Tile({ label, value }: { readonly label: string; readonly value: number }) {
  return (
    <li className="tile">
      <span className="tile-value">{value}</span>
      <span className="tile-label">{label}</span>
    </li>
  );
}

/** A ring filled to the rate, the percentage inside it; "no data" when the rate has no denominator. */
function Gauge({ label, rate }: { readonly label: string; readonly rate: number | null }) {
  const { t, formatPercent } = useI18n();
  const radius = 42;
  const circumference = 2 * Math.PI * radius;
  const shown = rate === null ? t('stats.noRate') : formatPercent(rate);
  return (
    <li className="gauge">
      <svg viewBox="0 0 100 100" role="img" aria-label={`${label}: ${shown}`}>
        <circle className="gauge-track" cx="50" cy="50" r={radius} />
        {rate !== null && rate > 0 && (
          <circle
            className="gauge-fill"
            cx="50"
            cy="50"
            r={radius}
            strokeDasharray={`${Math.max(0, Math.min(1, rate)) * circumference} ${circumference}`}
            transform="rotate(-90 50 50)"
          />
        )}
        <text x="50" y="55" textAnchor="middle" className={rate === null ? 'gauge-text gauge-text-none' : 'gauge-text'}>
          {rate === null ? '—' : formatPercent(rate)}
        </text>
      </svg>
      <span className="gauge-label">{label}</span>
    </li>
  );
}

/** Cases filed per kind as horizontal CSS bars, longest first. */
function KindBars({ counts }: { readonly counts: Stats['filed']['byKind'] }) {
  const { t } = useI18n();
  const rows = CASE_KINDS.map((kind) => ({ kind, n: counts[kind] })).sort((a, b) => b.n - a.n);
  const max = Math.max(1, ...rows.map((row) => row.n));
  return (
    <ul className="bars" aria-label={t('stats.chartByKind')}>
      {rows.map((row) => (
        <li key={row.kind} className="bar-row">
          <span className="bar-label">{t(`kind.${row.kind}`)}</span>
          <span className="bar-track" aria-hidden="true">
            <span className={`bar bar-${row.kind}`} style={{ width: `${(row.n / max) * 100}%` }} />
          </span>
          <span className="bar-value">{row.n}</span>
        </li>
      ))}
    </ul>
  );
}

/** Filed, resolved and annotated per month as grouped SVG columns, with the figures as a table. */
function MonthColumns({ months }: { readonly months: Stats['byMonth'] }) {
  const { t } = useI18n();
  const height = 180;
  const top = 16;
  const bottom = 28;
  const group = 48;
  const width = Math.max(320, months.length * group + 32);
  const max = Math.max(1, ...months.flatMap((month) => SERIES.map((series) => month[series.key])));
  const scale = (n: number) => (n / max) * (height - top - bottom);
  const bar = 12;
  return (
    <>
      <ul className="legend">
        {SERIES.map((series) => (
          <li key={series.key}>
            <span className={`swatch series-${series.key}`} aria-hidden="true" />
            {t(series.label)}
          </li>
        ))}
      </ul>
      <svg className="columns" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={t('stats.chartByMonth')}>
        <line className="axis" x1="16" x2={width - 16} y1={height - bottom} y2={height - bottom} />
        {months.map((month, i) => {
          const x = 24 + i * group;
          return (
            <g key={month.month}>
              {SERIES.map((series, j) => {
                const h = scale(month[series.key]);
                return (
                  <rect
                    key={series.key}
                    className={`series-${series.key}`}
                    x={x + j * bar}
                    y={height - bottom - h}
                    width={bar - 2}
                    height={h}
                    rx="2"
                  >
                    <title>{`${month.month} ${t(series.label)}: ${month[series.key]}`}</title>
                  </rect>
                );
              })}
              <text className="column-label" x={x + (SERIES.length * bar) / 2} y={height - 10} textAnchor="middle">
                {month.month.slice(2)}
              </text>
            </g>
          );
        })}
      </svg>
      <details className="figures">
        <summary>{t('stats.table')}</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('stats.month')}</th>
              {SERIES.map((series) => (
                <th key={series.key} scope="col">
                  {t(series.label)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {months.map((month) => (
              <tr key={month.month}>
                <th scope="row">{month.month}</th>
                {SERIES.map((series) => (
                  <td key={series.key}>{month[series.key]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </>
  );
}
