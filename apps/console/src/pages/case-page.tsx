import { useState } from 'react';
import { ApiError, get, getWholeHistory } from '../api/client.js';
import type { CaseAction, CaseDetail, CaseHistory, Moved } from '../api/types.js';
import { useUnread } from '../unread.js';
import { caseIsOverdue, LoadFailed, LoadFailedPage, Loading, StatusBadge } from '../components.js';
import { useI18n } from '../i18n/i18n.js';
import { useSession } from '../session.js';
import { useResource } from '../use-resource.js';
import { ActionForm } from './action-form.js';
import { AttachmentsPanel } from './attachments-panel.js';
import { AdoptionPanel } from './bulletins-page.js';
import { AsOfPanel, DossierButton, VerifyBadge } from './audit-panel.js';
import { CaseReport, CaseStanding, CaseWork, Deadlines } from './case-facts.js';
import { Timeline } from './timeline.js';

/**
 * One case: where it stands, its deadlines, notes and annotations, its timeline, and a button for
 * each move the reader may make now. Auditors also see the record's verification and can open
 * the case as it stood at any revision or time.
 */
export function CasePage({ id }: { readonly id: string }) {
  const { t } = useI18n();
  const session = useSession();
  const { refresh: refreshUnread } = useUnread();
  const detail = useResource((signal) => get<CaseDetail>(`/api/v1/cases/${id}`, {}, signal), [id]);
  const revision = detail.data?.revision;
  const history = useResource((signal) => getWholeHistory<CaseHistory>(`/api/v1/cases/${id}/history`, signal), [id, revision]);
  const [open, setOpen] = useState<CaseAction | null>(null);
  const [conflict, setConflict] = useState<ApiError | null>(null);
  const [done, setDone] = useState<CaseAction | null>(null);
  const [picked, setPicked] = useState<number | null>(null);
  const auditing = session.has('auditor');

  if (detail.error !== undefined && !detail.data) return <LoadFailedPage error={detail.error} retry={detail.reload} />;
  const view = detail.data;
  if (!view) {
    return (
      <div className="page">
        <Loading lines={6} />
      </div>
    );
  }

  const reload = () => {
    setConflict(null);
    setOpen(null);
    setDone(null);
    detail.reload();
  };
  const finished = (action: CaseAction) => (_moved: Moved) => {
    setOpen(null);
    setDone(action);
    detail.reload();
    refreshUnread();
  };
  const overdue = caseIsOverdue(view);

  return (
    <div className="page case-page">
      <div className="page-header">
        <div>
          <p className="case-number-line">
            <span className="case-number">{view.number}</span>
            <StatusBadge status={view.status} />
            <span className="badge badge-kind">{t(`kind.${view.kind}`)}</span>
            {view.urgency === 'urgent' && <span className="badge badge-urgent">{t('urgency.urgent')}</span>}
            {view.supervised && <span className="badge badge-supervised">{t('case.supervised')}</span>}
            {view.publicFiling && (
              <span className="badge badge-public" data-testid="public-filing">
                {t('case.publicFiling')}
              </span>
            )}
            {overdue && <span className="badge badge-overdue">{t('list.overdue')}</span>}
            <span className="muted">{t('case.revision', { n: view.revision })}</span>
          </p>
          <h1 id="page-title" tabIndex={-1}>
            {view.title}
          </h1>
        </div>
      </div>

      {conflict && (
        <div className="notice notice-warning" role="alert" data-testid="revision-conflict">
          <p className="notice-title">{t('case.conflictTitle')}</p>
          <p>{t('case.conflictBody', { revision: conflict.currentRevision ?? '?' })}</p>
          <button type="button" className="button button-primary" onClick={reload}>
            {t('case.reload')}
          </button>
        </div>
      )}
      {done && !conflict && (
        <div className="notice notice-success" role="status">
          {t('action.done', { action: t(`action.${done}`) })}
        </div>
      )}

      <section className="card actions-card" aria-labelledby="actions-title">
        <h2 id="actions-title">{t('case.actions')}</h2>
        {view.allowedActions.length === 0 ? (
          <p className="empty">{t('case.noActions')}</p>
        ) : (
          <div className="action-buttons">
            {view.allowedActions.map((action) => (
              <button
                key={action}
                type="button"
                className={`button${open === action ? ' button-primary' : ''}`}
                aria-expanded={open === action}
                aria-controls="action-form"
                disabled={conflict !== null}
                onClick={() => {
                  setDone(null);
                  setOpen(open === action ? null : action);
                }}
              >
                {t(`action.${action}`)}
              </button>
            ))}
          </div>
        )}
        <div id="action-form">
          {open && !conflict && (
            <ActionForm
              key={`${open}-${view.revision}`}
              action={open}
              view={view}
              onDone={finished(open)}
              onConflict={setConflict}
              onCancel={() => setOpen(null)}
            />
          )}
        </div>
      </section>

      <div className="case-grid">
        <div className="case-main">
          <section className="card" aria-labelledby="details-title">
            <h2 id="details-title">{t('case.details')}</h2>
            <CaseStanding view={view} />
            <CaseReport view={view} />
          </section>
          <CaseWork view={view} />
          <AttachmentsPanel view={view} onUploaded={detail.reload} />
        </div>
        <aside className="case-side">
          <section className="card" aria-labelledby="deadlines-title">
            <h2 id="deadlines-title">{t('case.deadlines')}</h2>
            <Deadlines view={view} />
          </section>
          <section className="card" aria-labelledby="audit-title">
            <h2 id="audit-title">{t('audit.title')}</h2>
            <VerifyBadge caseId={view.id} revision={view.revision} />
            <DossierButton caseId={view.id} />
          </section>
          <AdoptionPanel view={view} canRecord={session.has('coordinator')} done={detail.reload} />
          {auditing && history.data && <AsOfPanel caseId={view.id} events={history.data.events} picked={picked} onPick={setPicked} />}
        </aside>
      </div>

      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">{t('case.history')}</h2>
        {history.error !== undefined && <LoadFailed error={history.error} retry={history.reload} />}
        {history.data ? (
          <Timeline
            caseId={view.id}
            events={history.data.events}
            people={history.data.people}
            onView={
              auditing
                ? (n) => {
                    setPicked(n);
                    document.getElementById('as-of')?.scrollIntoView({ block: 'start' });
                  }
                : undefined
            }
          />
        ) : (
          history.error === undefined && <Loading />
        )}
      </section>
    </div>
  );
}
