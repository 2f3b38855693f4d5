import { useState } from 'react';
import { get, post } from '../api/client.js';
import type { NotificationList } from '../api/types.js';
import { ErrorNotice, LoadFailed, Loading, PageHeader } from '../components.js';
import { useI18n } from '../i18n/i18n.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { useUnread } from '../unread.js';
import { useResource } from '../use-resource.js';

/** The user's in-app notifications, newest first; each can be marked read, or all at once. */
export function NotificationsPage() {
  const { t, formatTime, language } = useI18n();
  const { units } = useSession();
  const unread = useUnread();
  const list = useResource((signal) => get<NotificationList>('/api/v1/notifications', { limit: 100 }, signal), []);
  const [error, setError] = useState<unknown>(null);

  const markRead = async (ids?: string[]) => {
    setError(null);
    try {
      await post('/api/v1/notifications/read', ids ? { ids } : {});
      list.reload();
      unread.refresh();
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <div className="page page-narrow">
      <PageHeader
        title={t('notifications.title')}
        actions={
          list.data && list.data.unreadCount > 0 ? (
            <button type="button" className="button" onClick={() => void markRead()}>
              {t('notifications.markAll')}
            </button>
          ) : undefined
        }
      />
      {error !== null && <ErrorNotice error={error} />}
      {list.error !== undefined && <LoadFailed error={list.error} retry={list.reload} />}
      {!list.data ? (
        list.error === undefined && <Loading />
      ) : list.data.items.length === 0 ? (
        <p className="empty">{t('notifications.empty')}</p>
      ) : (
        <ul className="notifications">
          {list.data.items.map((item) => (
            <li key={item.id} className={item.readAt ? 'notification' : 'notification notification-unread'}>
              <div className="notification-head">
                {!item.readAt && <span className="badge badge-unread">{t('notifications.unread')}</span>}
                {item.type === 'BulletinPublished' ? (
                  <>
                    <span className="notification-type">{t('notifications.bulletinPublished')}</span>
                    <Link to={`/bulletins/${item.bulletinId}`}>{t('notifications.bulletin')}</Link>
                  </>
                ) : (
                  <>
                    <span className="notification-type">{t(`event.${item.type}`)}</span>
                    <Link to={`/cases/${item.caseId}`}>{t('notifications.case', { number: item.caseNumber ?? '' })}</Link>
                  </>
                )}
              </div>
              <p lang={language}>{item.texts[language]}</p>
              <p className="muted">
                {units.name(item.unitId)} · <time dateTime={item.createdAt}>{formatTime(item.createdAt)}</time>
              </p>
              {!item.readAt && (
                <button type="button" className="button button-small" onClick={() => void markRead([item.id])}>
                  {t('notifications.markRead')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
