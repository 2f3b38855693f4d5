import { useEffect, useState } from 'react';
import { get } from '../api/client.js';
import type { SimilarCase } from '../api/types.js';
import { StatusBadge } from '../components.js';
import { useI18n } from '../i18n/i18n.js';
import { scorePercent } from '../reports.js';
import { useSession } from '../session.js';

/** How long typing must pause before the look-up, and how much of a title it needs. */
const PAUSE_MS = 400;
const MIN_TITLE = 2;

/** Open cases like the one being typed (`GET /cases/similar`), looked up once the clerk pauses; none while the title is too short. */
export function useSimilarCases(title: string, description: string, unitId: string): readonly SimilarCase[] {
  const [found, setFound] = useState<readonly SimilarCase[]>([]);
  const enough = [...title.trim()].length >= MIN_TITLE;
  useEffect(() => {
    if (!enough) {
      setFound([]);
      return;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      get<{ items: SimilarCase[] }>('/api/v1/cases/similar', { title: title.trim(), description: description.trim(), unitId }, controller.signal).then(
        (answer) => setFound(answer.items.slice(0, 10)),
        // A failed look-up only means no hints: filing goes on.
        () => !controller.signal.aborted && setFound([]),
      );
    }, PAUSE_MS);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [enough, title, description, unitId]);
  return found;
}

/** 可能重复: the similar open cases, each opening in a new tab so the form keeps what was typed. */
export function SimilarCases({ items }: { readonly items: readonly SimilarCase[] }) {
  const { t, formatTime } = useI18n();
  const { units } = useSession();
  if (items.length === 0) return null;
  return (
    <section className="notice notice-info similar-cases" aria-live="polite" aria-labelledby="similar-title" data-testid="similar-cases">
      <p className="notice-title" id="similar-title">
        {t('similar.title', { n: items.length })}
      </p>
      <p>{t('similar.hint')}</p>
      <ul>
        {items.map((item) => (
          <li key={item.id}>
            <a href={`/cases/${item.id}`} target="_blank" rel="noopener">
              {item.number} {item.title}
            </a>{' '}
            <StatusBadge status={item.status} /> <span className="case-card-meta">
              {t(`kind.${item.kind}`)} · {units.name(item.unitId)} · {formatTime(item.createdAt)} · {t('similar.score', { score: scorePercent(item.score) })}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
