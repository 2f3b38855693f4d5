import { get } from '../api/client.js';
import type { CaseList as CaseListAnswer } from '../api/types.js';
import { leaderOnly } from '../roles.js';
import { CaseList, ExportButton, LoadFailed, Loading, PageHeader } from '../components.js';
import { useI18n } from '../i18n/i18n.js';
import { useSession } from '../session.js';
import { useResource } from '../use-resource.js';

/** The open cases waiting on the reader, overdue ones first (the API orders them so). */
export function InboxPage() {
  const { t } = useI18n();
  const session = useSession();
  const inbox = useResource((signal) => get<CaseListAnswer>('/api/v1/inbox', {}, signal), []);
  const leader = leaderOnly(session);
  return (
    <div className="page">
      <PageHeader
        title={t(leader ? 'inbox.titleLeader' : 'inbox.title')}
        intro={t(leader ? 'inbox.introLeader' : 'inbox.intro')}
        actions={
          <>
            <button type="button" className="button" onClick={inbox.reload} disabled={inbox.loading}>
              {t('common.refresh')}
            </button>
            <ExportButton path="/api/v1/inbox" query={{}} fallbackName={t(leader ? 'inbox.titleLeader' : 'inbox.title')} />
          </>
        }
      />
      {inbox.error !== undefined && <LoadFailed error={inbox.error} retry={inbox.reload} />}
      {inbox.data ? (
        <>
          <p className="list-total">{t('common.total', { n: inbox.data.total })}</p>
          <CaseList items={inbox.data.items} empty={t('inbox.empty')} />
        </>
      ) : (
        inbox.error === undefined && <Loading />
      )}
    </div>
  );
}
