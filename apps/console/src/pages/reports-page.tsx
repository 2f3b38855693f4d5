import { useState } from 'react';
import { get } from '../api/client.js';
import type { Appraisal, Hotspots, UnitRanking, UnitRankingRow } from '../api/types.js';
import { ExportButton, Field, LoadFailed, Loading, PageHeader } from '../components.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import { heatGrid, heatShade, rateText, scorePoints, trendOf, trendText } from '../reports.js';
import { useSession } from '../session.js';
import { useResource } from '../use-resource.js';
import { PeriodForm, periodQuery, usePeriod } from './period-filters.js';

/** 考核: one row per information officer (clerk) of the unit's subtree, with the points their adopted opinions earned. */
export function AppraisalPage() {
  const { t } = useI18n();
  const { units } = useSession();
  const { draft, setDraft, period, apply } = usePeriod();
  const query = periodQuery(period);
  const appraisal = useResource((signal) => get<Appraisal>('/api/v1/stats/clerks', query, signal), [period.unitId, period.from, period.to]);
  const columns = ['filed', 'accepted', 'annotated', 'adopted', 'adoptions', 'points'] as const;
  return (
    <div className="page">
      <PageHeader
        title={t('appraisal.title')}
        intro={t('appraisal.intro')}
        actions={<ExportButton path="/api/v1/stats/clerks" query={query} fallbackName={t('appraisal.title')} />}
      />
      <PeriodForm draft={draft} setDraft={setDraft} apply={apply} />
      {appraisal.error !== undefined && <LoadFailed error={appraisal.error} retry={appraisal.reload} />}
      {appraisal.data ? (
        appraisal.data.clerks.length === 0 ? (
          <p className="empty">{t('appraisal.empty')}</p>
        ) : (
          <div className="table-scroll">
            <table className="report-table" data-testid="appraisal">
              <thead>
                <tr>
                  <th scope="col">{t('appraisal.clerk')}</th>
                  <th scope="col">{t('stats.unit')}</th>
                  {columns.map((column) => (
                    <th key={column} scope="col" className="numeric">
                      {t(`appraisal.${column}`)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {appraisal.data.clerks.map((clerk) => (
                  <tr key={clerk.userId}>
                    <th scope="row">{clerk.displayName}</th>
                    <td>{units.name(clerk.unitId)}</td>
                    {columns.map((column) => (
                      <td key={column} className="numeric">
                        {clerk[column] ?? 0}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : (
        appraisal.error === undefined && <Loading lines={4} />
      )}
    </div>
  );
}

const RANK_RATES = [
  { key: 'responseRate', label: 'stats.responseRate' },
  { key: 'resolutionRate', label: 'stats.resolutionRate' },
  { key: 'satisfactionRate', label: 'stats.satisfactionRate' },
  { key: 'onTimeRate', label: 'stats.onTimeRate' },
] as const satisfies readonly { key: keyof UnitRankingRow; label: MessageKey }[];

type RateKey = (typeof RANK_RATES)[number]['key'];
type RateWeights = Record<RateKey, string>;
const NO_WEIGHTS: RateWeights = { responseRate: '', resolutionRate: '', satisfactionRate: '', onTimeRate: '' };

/** The `weights` parameter of the weights filled in (`responseRate:0.4,…`); the server checks them and names a bad one. */
function weightsQuery(weights: RateWeights): string {
  return RANK_RATES.filter((rate) => weights[rate.key].trim() !== '')
    .map((rate) => `${rate.key}:${weights[rate.key].trim()}`)
    .join(',');
}

/** 排名: the children of a unit ranked by their weighted rates, as a table and a bar chart, at a named log position. */
export function RankingsPage() {
  const { t, formatPercent } = useI18n();
  const { me, units } = useSession();
  const { draft, setDraft, period, apply } = usePeriod();
  const [positionDraft, setPositionDraft] = useState('');
  const [position, setPosition] = useState('');
  // Weights to try instead of the policy file's (a blank one keeps the policy's).
  const [weightsDraft, setWeightsDraft] = useState<RateWeights>(NO_WEIGHTS);
  const [weights, setWeights] = useState('');
  // Only units with children have anything to rank.
  const parents = units.subtree(me.unitId).filter((unit) => units.all.some((child) => child.parentId === unit.id));
  const query = { ...periodQuery(period, 'parentId'), position: position.trim(), weights };
  const ranking = useResource(
    (signal) => get<UnitRanking>('/api/v1/stats/units', query, signal),
    [period.unitId, period.from, period.to, position, weights],
  );
  // The weight the last answer was computed with, once there is one.
  const usedWeights = ranking.data?.weights;
  const weightHint = (rate: RateKey) => (usedWeights ? t('ranking.weightHintNow', { weight: usedWeights[rate] }) : t('ranking.weightHint'));
  return (
    <div className="page">
      <PageHeader
        title={t('ranking.title')}
        intro={t('ranking.intro')}
        actions={<ExportButton path="/api/v1/stats/units" query={query} fallbackName={t('ranking.title')} />}
      />
      <PeriodForm
        draft={draft}
        setDraft={setDraft}
        apply={() => {
          apply();
          setPosition(positionDraft);
          setWeights(weightsQuery(weightsDraft));
        }}
        units={parents.map((unit) => unit.id)}
      >
        <Field label={t('ranking.position')} hint={t('ranking.positionHint')}>
          {(control) => <input {...control} inputMode="numeric" value={positionDraft} onChange={(e) => setPositionDraft(e.target.value)} />}
        </Field>
        {RANK_RATES.map((rate) => (
          <Field key={rate.key} label={t('ranking.weightOf', { rate: t(rate.label) })} hint={weightHint(rate.key)}>
            {(control) => (
              <input
                {...control}
                inputMode="decimal"
                data-testid={`weight-${rate.key}`}
                value={weightsDraft[rate.key]}
                onChange={(e) => setWeightsDraft({ ...weightsDraft, [rate.key]: e.target.value })}
              />
            )}
          </Field>
        ))}
      </PeriodForm>
      {ranking.error !== undefined && <LoadFailed error={ranking.error} retry={ranking.reload} />}
      {ranking.data ? (
        <>
          <p className="report-anchor" data-testid="ranking-anchor">
            {t('ranking.computedAt', { position: ranking.data.position })}
            {ranking.data.anchor && <span className="anchor-hash"> · {t('ranking.anchor', { anchor: ranking.data.anchor })}</span>}
          </p>
          {ranking.data.units.length === 0 ? (
            <p className="empty">{t('ranking.empty')}</p>
          ) : (
            <>
              <section className="card" aria-labelledby="ranking-chart-title">
                <h2 id="ranking-chart-title">{t('ranking.chart')}</h2>
                <ScoreBars rows={ranking.data.units} />
              </section>
              <div className="table-scroll">
                <table className="report-table" data-testid="ranking">
                  <thead>
                    <tr>
                      <th scope="col" className="numeric">
                        {t('ranking.rank')}
                      </th>
                      <th scope="col">{t('stats.unit')}</th>
                      <th scope="col" className="numeric">
                        {t('stats.filed')}
                      </th>
                      {RANK_RATES.map((rate) => (
                        <th key={rate.key} scope="col" className="numeric">
                          {t(rate.label)}
                        </th>
                      ))}
                      <th scope="col" className="numeric">
                        {t('ranking.score')}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {ranking.data.units.map((row) => (
                      <tr key={row.unitId}>
                        <td className="numeric">{row.rank}</td>
                        <th scope="row">{row.name}</th>
                        <td className="numeric">{row.filed}</td>
                        {RANK_RATES.map((rate) => (
                          <td key={rate.key} className="numeric">
                            {rateText(row[rate.key], formatPercent)}
                          </td>
                        ))}
                        <td className="numeric">{scorePoints(row.score)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </>
      ) : (
        ranking.error === undefined && <Loading lines={4} />
      )}
    </div>
  );
}

/** Each unit's score as a horizontal SVG bar, in rank order, on a scale of 100. */
function ScoreBars({ rows }: { readonly rows: readonly UnitRankingRow[] }) {
  const { t } = useI18n();
  const rowHeight = 28;
  const labelWidth = 160;
  const barWidth = 380;
  const width = labelWidth + barWidth + 60;
  const height = rows.length * rowHeight + 8;
  return (
    <svg className="ranking-chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={t('ranking.chartLabel')} data-testid="ranking-chart">
      {rows.map((row, i) => {
        const y = 4 + i * rowHeight;
        const length = Math.max(0, Math.min(1, row.score)) * barWidth;
        return (
          <g key={row.unitId}>
            <text className="column-label" x={labelWidth - 8} y={y + rowHeight / 2 + 4} textAnchor="end">
              {`${row.rank}. ${row.name}`}
            </text>
            <rect className="ranking-bar" x={labelWidth} y={y + 4} width={length} height={rowHeight - 8} rx="3">
              <title>{`${row.name}: ${scorePoints(row.score)}`}</title>
            </rect>
            <text className="column-label" x={labelWidth + length + 6} y={y + rowHeight / 2 + 4}>
              {scorePoints(row.score)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** 热点: the period's most frequent terms by unit and kind, shaded by count, with the change against the period before. */
export function HotspotsPage() {
  const { t } = useI18n();
  const { units } = useSession();
  const { draft, setDraft, period, apply } = usePeriod();
  const hotspots = useResource(
    (signal) => get<Hotspots>('/api/v1/stats/hotspots', { ...periodQuery(period), limit: 20 }, signal),
    [period.unitId, period.from, period.to],
  );
  const grid = hotspots.data ? heatGrid(hotspots.data.items) : undefined;
  return (
    <div className="page">
      <PageHeader title={t('hotspots.title')} intro={t('hotspots.intro')} />
      <PeriodForm draft={draft} setDraft={setDraft} apply={apply} />
      {hotspots.error !== undefined && <LoadFailed error={hotspots.error} retry={hotspots.reload} />}
      {grid ? (
        grid.rows.length === 0 ? (
          <p className="empty">{t('hotspots.empty')}</p>
        ) : (
          <div className="table-scroll">
            <table className="report-table heat-table" data-testid="hotspots">
              <thead>
                <tr>
                  <th scope="col">{t('hotspots.term')}</th>
                  <th scope="col">{t('field.kind')}</th>
                  {grid.units.map((unitId) => (
                    <th key={unitId} scope="col" className="numeric">
                      {units.name(unitId)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {grid.rows.map((row) => (
                  <tr key={`${row.kind}-${row.term}`}>
                    <th scope="row">{row.term}</th>
                    <td>{t(`kind.${row.kind}`)}</td>
                    {grid.units.map((unitId) => {
                      const cell = row.cells.get(unitId);
                      if (!cell) return <td key={unitId} className="numeric heat-0" />;
                      const trend = trendOf(cell.count, cell.previousCount);
                      return (
                        <td key={unitId} className={`numeric heat-${heatShade(cell.count, grid.max)}`}>
                          <span className="heat-count">{cell.count}</span>{' '}
                          <span
                            className={`trend trend-${trend.direction}`}
                            title={t('hotspots.previous', { n: cell.previousCount })}
                            aria-label={t('hotspots.previous', { n: cell.previousCount })}
                          >
                            {trendText(trend)}
                          </span>
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : (
        hotspots.error === undefined && <Loading lines={4} />
      )}
    </div>
  );
}
