import { CASE_KINDS, CASE_STATUSES } from '#domain';
import { useEffect, useState, type FormEvent } from 'react';
import { get, readYourWrites } from '../api/client.js';
import type { CaseList as CaseListAnswer } from '../api/types.js';
import { usePickedCases } from '../bulletin-selection.js';
import { CaseList, ExportButton, Field, LoadFailed, Loading, Options, PageHeader, Pager, SelectFilter, pageCount } from '../components.js';
import { useI18n } from '../i18n/i18n.js';
import { Link, navigate } from '../router.js';
import { useSession } from '../session.js';
import { useResource } from '../use-resource.js';

const PAGE_SIZE = 20;

interface Filters {
  readonly status: string;
  readonly kind: string;
  readonly unitId: string;
  readonly q: string;
  readonly overdue: boolean;
  readonly page: number;
}

function filtersFrom(query: URLSearchParams | undefined): Filters {
  return {
    status: query?.get('status') ?? '',
    kind: query?.get('kind') ?? '',
    unitId: query?.get('unitId') ?? '',
    q: query?.get('q') ?? '',
    overdue: query?.get('overdue') === 'true',
    page: Math.max(1, Number(query?.get('page')) || 1),
  };
}

function searchOf(filters: Filters): string {
  const params = new URLSearchParams();
  if (filters.status) params.set('status', filters.status);
  if (filters.kind) params.set('kind', filters.kind);
  if (filters.unitId) params.set('unitId', filters.unitId);
  if (filters.q.trim()) params.set('q', filters.q.trim());
  if (filters.overdue) params.set('overdue', 'true');
  if (filters.page > 1) params.set('page', String(filters.page));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * The cases the reader may see, with filters kept in the URL (so a search can be bookmarked), or
 * with `mine`, the cases the reader filed.
 */
export function CasesPage({ query, mine = false }: { readonly query?: URLSearchParams; readonly mine?: boolean }) {
  const { t } = useI18n();
  const session = useSession();
  const { units, me } = session;
  // Coordinators pick cases from the results for a bulletin (编辑简报).
  const composing = !mine && session.has('coordinator');
  const { picked, toggle, clear } = usePickedCases();
  const applied = filtersFrom(query);
  const [draft, setDraft] = useState<Filters>(applied);
  const [page, setPage] = useState(applied.page);
  const search = mine ? '' : searchOf(applied);
  // Back and forward change the search under the form: show what is applied.
  useEffect(() => setDraft(filtersFrom(new URLSearchParams(search))), [search]);

  const filters = mine
    ? { filedBy: 'me' }
    : {
        status: applied.status,
        kind: applied.kind,
        unitId: applied.unitId,
        q: applied.q.trim(),
        overdue: applied.overdue ? 'true' : undefined,
      };
  // With `q` the server ranks the cases by relevance: they are shown in its order.
  const list = useResource(
    (signal) =>
      get<CaseListAnswer>(
        '/api/v1/cases',
        { ...filters, page: mine ? page : applied.page, pageSize: PAGE_SIZE, minPosition: readYourWrites() },
        signal,
      ),
    [search, mine, page],
  );
  const selection = composing
    ? {
        selected: new Set(picked.map((item) => item.id)),
        toggle: (id: string) => {
          const item = list.data?.items.find((view) => view.id === id) ?? picked.find((p) => p.id === id);
          if (item) toggle(item);
        },
      }
    : undefined;

  const apply = (event: FormEvent) => {
    event.preventDefault();
    navigate(`/cases${searchOf({ ...draft, page: 1 })}`);
  };
  const goTo = (next: number) => (mine ? setPage(next) : navigate(`/cases${searchOf({ ...applied, page: next })}`));
  const pages = pageCount(list.data?.total, PAGE_SIZE);
  const current = mine ? page : applied.page;

  return (
    <div className="page">
      <PageHeader
        title={t(mine ? 'cases.mine' : 'cases.title')}
        intro={mine ? t('cases.mineIntro') : undefined}
        actions={<ExportButton path="/api/v1/cases" query={filters} fallbackName={t(mine ? 'cases.mine' : 'cases.title')} />}
      />
      {!mine && (
        <form className="filters" onSubmit={apply} aria-label={t('cases.filters')}>
          <Field label={t('field.q')}>
            {(control) => <input {...control} type="search" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />}
          </Field>
          <SelectFilter
            label={t('field.status')}
            value={draft.status}
            onChange={(status) => setDraft({ ...draft, status })}
            values={CASE_STATUSES}
            optionLabel={(status) => t(`status.${status}`)}
            empty={t('cases.allStatuses')}
          />
          <SelectFilter
            label={t('field.kind')}
            value={draft.kind}
            onChange={(kind) => setDraft({ ...draft, kind })}
            values={CASE_KINDS}
            optionLabel={(kind) => t(`kind.${kind}`)}
            empty={t('cases.allKinds')}
          />
          <Field label={t('stats.unit')}>
            {(control) => (
              <select {...control} value={draft.unitId} onChange={(e) => setDraft({ ...draft, unitId: e.target.value })}>
                <Options
                  values={units.subtree(me.unitId).map((unit) => unit.id)}
                  label={(id) => units.name(id)}
                  empty={t('cases.allUnits')}
                />
              </select>
            )}
          </Field>
          <label className="check">
            <input type="checkbox" checked={draft.overdue} onChange={(e) => setDraft({ ...draft, overdue: e.target.checked })} />
            {t('field.overdue')}
          </label>
          <button type="submit" className="button button-primary">
            {t('cases.search')}
          </button>
        </form>
      )}
      {list.error !== undefined && <LoadFailed error={list.error} retry={list.reload} />}
      {list.data ? (
        <>
          <p className="list-total">
            {list.data.totalExact === false ? t('common.totalAtLeast', { n: list.data.total }) : t('common.total', { n: list.data.total })}
            {!mine && applied.q.trim() && <span className="list-order"> · {t('cases.byRelevance')}</span>}
          </p>
          {composing && (
            <div className="compose-bar" role="region" aria-label={t('bulletin.picked', { n: picked.length })}>
              <span>{t('bulletin.picked', { n: picked.length })}</span>
              {picked.length > 0 && (
                <>
                  <Link to="/bulletins/new" className="button button-primary">
                    {t('bulletin.compose')}
                  </Link>
                  <button type="button" className="button button-quiet" onClick={clear}>
                    {t('bulletin.clearPicked')}
                  </button>
                </>
              )}
            </div>
          )}
          <CaseList items={list.data.items} empty={t('list.empty')} selection={selection} />
          <Pager page={current} pages={pages} goTo={goTo} />
        </>
      ) : (
        list.error === undefined && <Loading />
      )}
    </div>
  );
}
