import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { translator, type Language, type Translate } from './messages.js';

export { hasMessage } from './messages.js';
export type { Language, MessageKey, Params, Translate } from './messages.js';

const LANGUAGE_KEY = 'minyi.language';

function initialLanguage(): Language {
  return localStorage.getItem(LANGUAGE_KEY) === 'en' ? 'en' : 'zh-CN';
}

interface I18n {
  readonly language: Language;
  readonly t: Translate;
  readonly setLanguage: (language: Language) => void;
  /** A date and time in the reader's language and time zone. */
  readonly formatTime: (iso: string) => string;
  readonly formatPercent: (rate: number) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(initialLanguage);

  useEffect(() => {
    document.documentElement.lang = language;
    const t = translator(language);
    document.title = `${t('app.name')} · ${t('app.tagline')}`;
  }, [language]);

  const setLanguage = useCallback((next: Language) => {
    localStorage.setItem(LANGUAGE_KEY, next);
    setLanguageState(next);
  }, []);

  const value = useMemo<I18n>(() => {
    const timeFormat = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });
    const percentFormat = new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 1 });
    return {
      language,
      setLanguage,
      t: translator(language),
      formatTime: (iso) => {
        const time = new Date(iso);
        return Number.isNaN(time.getTime()) ? iso : timeFormat.format(time);
      },
      formatPercent: (rate) => percentFormat.format(rate),
    };
  }, [language, setLanguage]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}

/** The button that switches between Chinese and English; the choice is remembered. */
export function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  const other: Language = language === 'en' ? 'zh-CN' : 'en';
  return (
    <button
      type="button"
      className="button button-quiet"
      lang={other}
      aria-label={t('lang.switchLabel')}
      onClick={() => setLanguage(other)}
    >
      {t('lang.switch')}
    </button>
  );
}
