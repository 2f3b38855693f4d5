import { adoptionLevelOf, BULLETIN_STATUSES, TEXT_LIMITS, type AdoptionLevel } from '#domain';
import { useRef, useState, type FormEvent } from 'react';
import { get, openDocument, patch, post, readYourWrites } from '../api/client.js';
import type { Adoption, Bulletin, CaseView, BulletinItem, BulletinList, Published } from '../api/types.js';
import { clearPickedCases, usePickedCases, type PickedCase } from '../bulletin-selection.js';
import { ErrorNotice, ExportButton, Field, LoadFailed, LoadFailedPage, Loading, Options, PageHeader, Pager, SelectFilter, SubmitButton, charCount, pageCount, useBusy } from '../components.js';
import { checkText, collect, problemText, type Problems } from '../forms/problems.js';
import { useI18n } from '../i18n/i18n.js';
import { adoptableLevels, moveItem } from '../reports.js';
import { Link, navigate } from '../router.js';
import { useSession } from '../session.js';
import { useCommandForm } from '../use-command-form.js';
import { useResource } from '../use-resource.js';

const PAGE_SIZE = 20;
const LIMITS = { title: TEXT_LIMITS.title, editorNote: TEXT_LIMITS.comment, body: TEXT_LIMITS.adoptionBody, note: TEXT_LIMITS.adoptionNote } as const;

const bulletinPath = (id: string) => `/api/v1/bulletins/${encodeURIComponent(id)}`;

/** 简报: the bulletins of the reader's units, newest first, filtered by unit, year and status. */
export function BulletinsPage() {
  const { t, formatTime } = useI18n();
  const session = useSession();
  const { me, units } = session;
  const [draft, setDraft] = useState({ unitId: '', year: '', status: '' });
  const [filters, setFilters] = useState(draft);
  const [page, setPage] = useState(1);
  const query = { unitId: filters.unitId, year: filters.year, status: filters.status };
  const list = useResource(
    (signal) => get<BulletinList>('/api/v1/bulletins', { ...query, page, pageSize: PAGE_SIZE, minPosition: readYourWrites() }, signal),
    [filters.unitId, filters.year, filters.status, page],
  );
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
    setPage(1);
  };
  const thisYear = new Date().getFullYear();
  return (
    <div className="page">
      <PageHeader
        title={t('bulletins.title')}
        intro={t('bulletins.intro')}
        actions={
          <>
            {session.has('coordinator') && (
              <Link to="/cases" className="button">
                {t('bulletins.pickCases')}
              </Link>
            )}
            <ExportButton path="/api/v1/bulletins" query={query} fallbackName={t('bulletins.title')} />
          </>
        }
      />
      <form className="filters" onSubmit={apply} aria-label={t('cases.filters')}>
        <SelectFilter
          label={t('stats.unit')}
          value={draft.unitId}
          onChange={(unitId) => setDraft({ ...draft, unitId })}
          values={units.subtree(me.unitId).map((unit) => unit.id)}
          optionLabel={(id) => units.name(id)}
          empty={t('cases.allUnits')}
        />
        <SelectFilter
          label={t('bulletins.year')}
          value={draft.year}
          onChange={(year) => setDraft({ ...draft, year })}
          values={[0, 1, 2, 3, 4].map((n) => String(thisYear - n))}
          optionLabel={(year) => year}
          empty={t('bulletins.allYears')}
        />
        <SelectFilter
          label={t('field.status')}
          value={draft.status}
          onChange={(status) => setDraft({ ...draft, status })}
          values={BULLETIN_STATUSES}
          optionLabel={(status) => t(`bulletinStatus.${status}`)}
          empty={t('cases.allStatuses')}
        />
        <button type="submit" className="button button-primary">
          {t('cases.search')}
        </button>
      </form>
      {list.error !== undefined && <LoadFailed error={list.error} retry={list.reload} />}
      {list.data ? (
        list.data.items.length === 0 ? (
          <p className="empty">{t('bulletins.empty')}</p>
        ) : (
          <>
            <ul className="case-list bulletin-list">
              {list.data.items.map((bulletin) => (
                <li key={bulletin.id} className="case-card">
                  <Link to={`/bulletins/${bulletin.id}`} className="case-card-link">
                    <span className="case-card-top">
                      <span className={`badge bulletin-${bulletin.status}`}>
                        {bulletin.status === 'published' && bulletin.issue ? bulletin.issue : t(`bulletinStatus.${bulletin.status}`)}
                      </span>
                    </span>
                    <span className="case-card-title">{bulletin.title}</span>
                    <span className="case-card-meta">
                      <span>{units.name(bulletin.unitId)}</span>
                      {(bulletin.publishedAt ?? bulletin.createdAt) && (
                        <>
                          <span aria-hidden="true">·</span>
                          <span>{formatTime((bulletin.publishedAt ?? bulletin.createdAt)!)}</span>
                        </>
                      )}
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
            <Pager page={page} pages={pageCount(list.data.total, PAGE_SIZE)} goTo={setPage} />
          </>
        )
      ) : (
        list.error === undefined && <Loading />
      )}
    </div>
  );
}

interface ComposeDraft {
  readonly title: string;
  readonly editorNote: string;
  readonly items: readonly PickedCase[];
}

function itemsOf(bulletin: Bulletin): PickedCase[] {
  return bulletin.items.map((item) => ({ id: item.caseId, number: item.number, title: item.title, kind: item.kind, unitId: item.unitId }));
}

/** 编辑简报: a new bulletin from the picked cases, or a draft opened again (`id`). */
export function BulletinComposePage({ id }: { readonly id?: string }) {
  const { t } = useI18n();
  const existing = useResource((signal) => (id ? get<Bulletin>(bulletinPath(id), {}, signal) : Promise.resolve(null)), [id]);
  if (existing.error !== undefined) return <div className="page"><LoadFailed error={existing.error} retry={existing.reload} /></div>;
  if (existing.data === undefined) return <div className="page"><Loading lines={6} /></div>;
  if (existing.data && existing.data.status !== 'draft') {
    return (
      <div className="page">
        <PageHeader title={t('bulletin.compose')} />
        <p className="notice notice-info">{t('bulletin.notDraft')}</p>
        <Link to={`/bulletins/${existing.data.id}`}>{t('bulletin.open')}</Link>
      </div>
    );
  }
  return <ComposeForm existing={existing.data} />;
}

function ComposeForm({ existing }: { readonly existing: Bulletin | null }) {
  const { t } = useI18n();
  const { me, units } = useSession();
  const { picked } = usePickedCases();
  const [draft, setDraft] = useState<ComposeDraft>(() =>
    existing ? { title: existing.title, editorNote: existing.editorNote ?? '', items: itemsOf(existing) } : { title: '', editorNote: '', items: picked },
  );
  const [savedId, setSavedId] = useState<string | null>(existing?.id ?? null);
  const [preview, setPreview] = useState(false);
  // Which of the two submit buttons sent the form: a ref, read when the submit runs, not after a render.
  const intent = useRef<'save' | 'publish'>('save');
  const [busyIntent, setBusyIntent] = useState<'save' | 'publish'>('save');
  const unitId = existing?.unitId ?? me.unitId;

  const check = (): Problems =>
    collect({
      title: checkText(draft.title, { required: true, max: LIMITS.title }),
      editorNote: checkText(draft.editorNote, { required: false, max: LIMITS.editorNote }),
      caseIds: draft.items.length === 0 ? { key: 'bulletin.noItems' } : undefined,
    });
  const save = async (): Promise<string> => {
    const body = { title: draft.title, caseIds: draft.items.map((item) => item.id) };
    if (savedId) {
      // A revision's null removes a note the draft had.
      await patch(bulletinPath(savedId), { ...body, editorNote: draft.editorNote || null });
      return savedId;
    }
    const created = await post<{ id: string }>('/api/v1/bulletins', { unitId, ...body, ...(draft.editorNote ? { editorNote: draft.editorNote } : {}) });
    setSavedId(created.id);
    return created.id;
  };
  const { problems, error, busy, form, submit } = useCommandForm(check, async () => {
    const publishing = intent.current === 'publish';
    setBusyIntent(intent.current);
    const bulletinId = await save();
    if (publishing) await post<Published>(`${bulletinPath(bulletinId)}/publish`, {});
    if (!existing) clearPickedCases();
    navigate(`/bulletins/${bulletinId}`);
  });
  const fieldError = (field: string) => problemText(problems[field], t);
  const move = (index: number, by: number) => setDraft({ ...draft, items: moveItem(draft.items, index, by) });

  return (
    <div className="page">
      <PageHeader title={t(existing ? 'bulletin.editDraft' : 'bulletin.compose')} intro={t('bulletin.composeIntro', { unit: units.name(unitId) })} />
      {error !== null && <ErrorNotice error={error} />}
      <form ref={form} className="form" onSubmit={submit} noValidate aria-label={t('bulletin.compose')}>
        <Field label={t('bulletin.titleField')} required error={fieldError('title')} hint={charCount(draft.title, LIMITS.title, t)}>
          {(control) => <input {...control} name="title" value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} />}
        </Field>
        <Field label={t('bulletin.editorNote')} required={false} error={fieldError('editorNote')} hint={charCount(draft.editorNote, LIMITS.editorNote, t)}>
          {(control) => (
            <textarea {...control} name="editorNote" rows={3} value={draft.editorNote} onChange={(e) => setDraft({ ...draft, editorNote: e.target.value })} />
          )}
        </Field>
        <fieldset>
          <legend>{t('bulletin.items', { n: draft.items.length })}</legend>
          {fieldError('caseIds') && <p className="field-error">{fieldError('caseIds')}</p>}
          {draft.items.length === 0 ? (
            <p className="empty">
              {t('bulletin.noItems')} <Link to="/cases">{t('bulletins.pickCases')}</Link>
            </p>
          ) : (
            <ol className="bulletin-order" data-testid="bulletin-order">
              {draft.items.map((item, index) => (
                <li key={item.id}>
                  <span className="case-number">{item.number}</span> <span className="bulletin-order-title">{item.title}</span>
                  <span className="bulletin-order-tools">
                    <button type="button" className="button button-quiet" disabled={index === 0} onClick={() => move(index, -1)} aria-label={t('bulletin.moveUp', { title: item.title })}>
                      ↑
                    </button>
                    <button
                      type="button"
                      className="button button-quiet"
                      disabled={index === draft.items.length - 1}
                      onClick={() => move(index, 1)}
                      aria-label={t('bulletin.moveDown', { title: item.title })}
                    >
                      ↓
                    </button>
                    <button
                      type="button"
                      className="button button-quiet"
                      onClick={() => setDraft({ ...draft, items: draft.items.filter((other) => other.id !== item.id) })}
                      aria-label={t('bulletin.remove', { title: item.title })}
                    >
                      ✕
                    </button>
                  </span>
                </li>
              ))}
            </ol>
          )}
        </fieldset>
        <div className="form-actions">
          <button type="button" className="button" onClick={() => setPreview(!preview)} aria-expanded={preview}>
            {t(preview ? 'bulletin.hidePreview' : 'bulletin.preview')}
          </button>
          <button type="submit" className="button" disabled={busy} onClick={() => (intent.current = 'save')}>
            {busy && busyIntent === 'save' ? t('common.submitting') : t('bulletin.saveDraft')}
          </button>
          <button type="submit" className="button button-primary" disabled={busy} onClick={() => (intent.current = 'publish')}>
            {busy && busyIntent === 'publish' ? t('common.submitting') : t('bulletin.publish')}
          </button>
        </div>
      </form>
      {preview && (
        <section className="card bulletin-sheet" aria-label={t('bulletin.preview')} data-testid="bulletin-preview">
          <p className="bulletin-masthead">{units.name(unitId)} · {t('bulletin.issuePending')}</p>
          <h2>{draft.title || t('bulletin.untitled')}</h2>
          {draft.editorNote && <p className="bulletin-note">{draft.editorNote}</p>}
          <ol>
            {draft.items.map((item) => (
              <li key={item.id}>
                <strong>{item.title}</strong>
                <span className="case-card-meta">
                  {item.number} · {t(`kind.${item.kind}`)} · {units.name(item.unitId)}
                </span>
              </li>
            ))}
          </ol>
        </section>
      )}
    </div>
  );
}

/** One bulletin: its issue, items with their frozen facts and the adoptions recorded from it; publish a draft, print, annotate an item. */
export function BulletinPage({ id }: { readonly id: string }) {
  const { t, formatTime } = useI18n();
  const session = useSession();
  const { units, me } = session;
  const bulletin = useResource((signal) => get<Bulletin>(bulletinPath(id), {}, signal), [id]);
  const publishing = useBusy(async () => {
    await post<Published>(`${bulletinPath(id)}/publish`, {});
    bulletin.reload();
  });
  if (bulletin.error !== undefined && !bulletin.data) return <LoadFailedPage error={bulletin.error} retry={bulletin.reload} />;
  const view = bulletin.data;
  if (!view) return <div className="page"><Loading lines={6} /></div>;
  const draft = view.status === 'draft';
  const coordinator = session.has('coordinator');
  const leader = session.has('leader');
  const myLevel = units.get(me.unitId)?.level;
  return (
    <div className="page">
      <PageHeader
        title={view.title}
        intro={`${units.name(view.unitId)} · ${draft ? t('bulletinStatus.draft') : view.issue ?? ''}`}
        actions={
          <>
            {draft && coordinator && (
              <>
                <Link to={`/bulletins/${id}/edit`} className="button">
                  {t('bulletin.editDraft')}
                </Link>
                <button type="button" className="button button-primary" disabled={publishing.busy} onClick={() => void publishing.run()}>
                  {publishing.busy ? t('common.submitting') : t('bulletin.publish')}
                </button>
              </>
            )}
            <PrintButton id={id} />
          </>
        }
      />
      {publishing.error !== null && <ErrorNotice error={publishing.error} />}
      <p className="bulletin-issue" data-testid="bulletin-issue">
        {draft ? t('bulletinStatus.draft') : t('bulletin.issued', { issue: view.issue ?? '', at: view.publishedAt ? formatTime(view.publishedAt) : '' })}
      </p>
      {view.editorNote && (
        <section className="card">
          <h2>{t('bulletin.editorNote')}</h2>
          <p className="bulletin-note">{view.editorNote}</p>
        </section>
      )}
      <ol className="bulletin-items">
        {view.items.map((item) => (
          <li key={item.caseId} className="card bulletin-item">
            <h2>
              <Link to={`/cases/${item.caseId}`}>{item.title}</Link>
            </h2>
            <p className="case-card-meta">
              <span className="case-number">{item.number}</span> · {t(`kind.${item.kind}`)} · {item.unitName ?? units.name(item.unitId)}
            </p>
            {item.summary && <p className="bulletin-summary">{item.summary}</p>}
            <AdoptionList adoptions={item.adoptions} />
            {!draft && leader && myLevel && <AnnotateForm bulletinId={id} item={item} level={adoptionLevelOf(myLevel)} done={bulletin.reload} />}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** Where a case's opinion was adopted or annotated, newest last. */
export function AdoptionList({ adoptions }: { readonly adoptions: readonly Adoption[] | undefined }) {
  const { t, formatTime } = useI18n();
  if (!adoptions?.length) return null;
  return (
    <ul className="adoptions" aria-label={t('adoption.list')}>
      {adoptions.map((adoption, i) => (
        <li key={i} className={`adoption adoption-${adoption.kind}`}>
          <span className="badge">{t('adoption.badge', { level: t(`adoptionLevel.${adoption.level}`), kind: t(`adoptionKind.${adoption.kind}`) })}</span>{' '}
          <span className="adoption-body">{adoption.body}</span>
          {adoption.note && <span className="adoption-note"> （{adoption.note}）</span>}
          <span className="case-card-meta">{formatTime(adoption.at)}</span>
        </li>
      ))}
    </ul>
  );
}

/** A leader's annotation (批示) on one item of a published bulletin, at the level of the leader's unit. */
function AnnotateForm({ bulletinId, item, level, done }: { readonly bulletinId: string; readonly item: BulletinItem; readonly level: AdoptionLevel; readonly done: () => void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [body, setBody] = useState('');
  const { problems, error, busy, form, submit } = useCommandForm(
    () => collect({ body: checkText(body, { required: true, max: LIMITS.body }) }),
    async () => {
      await post(`/api/v1/cases/${encodeURIComponent(item.caseId)}/adoptions`, { level, kind: 'annotated', body, bulletinId });
      setBody('');
      setOpen(false);
      done();
    },
  );
  if (!open) {
    return (
      <button type="button" className="button" onClick={() => setOpen(true)} aria-label={t('bulletin.annotateItem', { title: item.title })}>
        {t('bulletin.annotate')}
      </button>
    );
  }
  return (
    <form ref={form} className="form form-inline" onSubmit={submit} noValidate aria-label={t('bulletin.annotateItem', { title: item.title })}>
      {error !== null && <ErrorNotice error={error} />}
      <Field label={t('bulletin.instruction', { level: t(`adoptionLevel.${level}`) })} required error={problemText(problems.body, t)} hint={charCount(body, LIMITS.body, t)}>
        {(control) => <textarea {...control} name="body" rows={3} value={body} onChange={(e) => setBody(e.target.value)} />}
      </Field>
      <div className="form-actions">
        <button type="button" className="button button-quiet" onClick={() => setOpen(false)}>
          {t('common.cancel')}
        </button>
        <SubmitButton busy={busy} label={t('bulletin.annotate')} busyLabel={t('common.submitting')} />
      </div>
    </form>
  );
}

/** 采用: a coordinator records that a case's opinion was adopted, at any level, on the case page. */
export function AdoptionPanel({ view, canRecord, done }: { readonly view: CaseView; readonly canRecord: boolean; readonly done: () => void }) {
  const { t } = useI18n();
  const { me, units } = useSession();
  const readerLevel = units.get(me.unitId)?.level;
  const filedLevel = units.get(view.filedUnitId)?.level;
  const levels = readerLevel && filedLevel ? adoptableLevels(readerLevel, filedLevel) : [];
  if (!canRecord && !view.adoptions?.length) return null;
  return (
    <section className="card adoption-panel" aria-labelledby="adoption-title">
      <h2 id="adoption-title">{t('adoption.list')}</h2>
      <AdoptionList adoptions={view.adoptions} />
      {canRecord && levels.length > 0 && <AdoptionForm caseId={view.id} levels={levels} done={done} />}
    </section>
  );
}

function AdoptionForm({ caseId, levels, done }: { readonly caseId: string; readonly levels: readonly AdoptionLevel[]; readonly done: () => void }) {
  const { t } = useI18n();
  const [level, setLevel] = useState<AdoptionLevel | ''>('');
  const [body, setBody] = useState('');
  const [note, setNote] = useState('');
  const [saved, setSaved] = useState(false);
  const { problems, error, busy, form, submit } = useCommandForm(
    () =>
      collect({
        level: level === '' ? { key: 'v.required' } : undefined,
        body: checkText(body, { required: true, max: LIMITS.body }),
        note: checkText(note, { required: false, max: LIMITS.note }),
      }),
    async () => {
      await post(`/api/v1/cases/${encodeURIComponent(caseId)}/adoptions`, { level, kind: 'adopted', body, ...(note ? { note } : {}) });
      setBody('');
      setNote('');
      setLevel('');
      setSaved(true);
      done();
    },
  );
  return (
    <>
      {saved && (
        <p className="notice notice-success" role="status">
          {t('adoption.recorded')}
        </p>
      )}
      {error !== null && <ErrorNotice error={error} />}
      <form ref={form} className="form" onSubmit={submit} noValidate aria-label={t('adoption.record')}>
        <Field label={t('adoption.levelField')} required error={problemText(problems.level, t)}>
          {(control) => (
            <select {...control} name="level" value={level} onChange={(e) => setLevel(e.target.value as AdoptionLevel)}>
              <Options values={levels} label={(value) => t(`adoptionLevel.${value}`)} empty={t('common.choose')} />
            </select>
          )}
        </Field>
        <Field label={t('adoption.body')} required error={problemText(problems.body, t)} hint={charCount(body, LIMITS.body, t)}>
          {(control) => <textarea {...control} name="body" rows={3} value={body} onChange={(e) => setBody(e.target.value)} />}
        </Field>
        <Field label={t('adoption.note')} required={false} error={problemText(problems.note, t)}>
          {(control) => <input {...control} name="note" value={note} onChange={(e) => setNote(e.target.value)} />}
        </Field>
        <SubmitButton busy={busy} label={t('adoption.record')} busyLabel={t('common.submitting')} />
      </form>
    </>
  );
}

/** The printable A4 page the API renders, in a new tab (the request needs the token, so it goes through a blob). */
function PrintButton({ id }: { readonly id: string }) {
  const { t } = useI18n();
  const { busy, error, run } = useBusy(() => openDocument(`${bulletinPath(id)}?format=html`));
  return (
    <>
      <button type="button" className="button" onClick={() => void run()} disabled={busy}>
        {t('bulletin.print')}
      </button>
      {error !== null && <ErrorNotice error={error} />}
    </>
  );
}
