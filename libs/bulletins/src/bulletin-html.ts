import { escapeHtml, localTime } from '#audit';
import type { Language } from '#domain';
import type { BulletinDetail } from './bulletin-details.js';

/** The printed page's words, in each language. */
const WORDS: Readonly<Record<Language, { masthead: string; draft: string; issue: (detail: BulletinDetail) => string; unit: string; date: string; editorNote: string; noItems: string; adoption: string; footer: (zone: string) => string }>> = {
  'zh-CN': {
    masthead: '社情民意',
    draft: '（草稿，未发布）',
    issue: (detail) => (detail.sequence === null ? '草稿' : `${detail.year}年 第${detail.sequence}期`),
    unit: '编发单位',
    date: '发布日期',
    editorNote: '编者按',
    noItems: '无',
    adoption: '领导批示与采用',
    footer: (zone) => `时间均为 ${zone} 时间。`,
  },
  en: {
    masthead: 'Public Opinion Bulletin',
    draft: '(draft, not published)',
    issue: (detail) => (detail.sequence === null ? 'Draft' : `No. ${detail.sequence} of ${detail.year}`),
    unit: 'Issued by',
    date: 'Published',
    editorNote: 'Editor’s note',
    noItems: 'None',
    adoption: 'Leaders’ annotations and adoptions',
    footer: (zone) => `Times are in ${zone}.`,
  },
};

const STYLE = `
@page { size: A4; margin: 20mm 18mm 20mm; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 174mm; padding: 12mm 0 16mm; color: #1b1b1b; background: #fff;
  font: 11pt/1.7 "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", SimSun, serif; }
header { text-align: center; border-bottom: 2pt solid #b00020; padding-bottom: 3mm; margin-bottom: 6mm; }
h1 { font-size: 26pt; color: #b00020; letter-spacing: 0.4em; margin: 0 0 2mm; }
.issue { font-size: 13pt; margin: 0 0 2mm; }
.meta { display: flex; justify-content: space-between; font-size: 10pt; margin: 0; }
h2 { font-size: 15pt; text-align: center; margin: 4mm 0 5mm; }
.note { border: 0.5pt solid #9a9a9a; padding: 2mm 3mm; margin-bottom: 5mm; }
.note p, .item p { white-space: pre-wrap; margin: 0; }
ol { margin: 0; padding: 0; list-style: none; }
.item { margin-bottom: 5mm; break-inside: avoid; page-break-inside: avoid; }
.item h3 { font-size: 12pt; margin: 0 0 1mm; }
.item .facts { font-size: 9.5pt; color: #444; margin-bottom: 1mm; }
.adoptions { margin: 1.5mm 0 0 5mm; font-size: 10pt; }
.muted { color: #555; }
footer { margin-top: 8mm; padding-top: 2mm; border-top: 0.5pt solid #9a9a9a; font-size: 9pt; color: #555; }
@media print { body { padding: 0; max-width: none; } }
@media screen { body { padding-left: 6mm; padding-right: 6mm; } }
`;

/**
 * A bulletin as a printable A4 page: a title block (《社情民意》, the issue, the unit, the date), the
 * editor's note, then the items numbered with their kind, unit and summary. One self-contained
 * document (inline styles, no scripts, nothing fetched); every piece of text is escaped.
 */
export function renderBulletinHtml(detail: BulletinDetail, options: { readonly language: Language; readonly timeZone: string }): string {
  const { language, timeZone } = options;
  const words = WORDS[language];
  const e = (text: string | number) => escapeHtml(String(text));
  const date = detail.publishedAt ? localTime(detail.publishedAt, timeZone).slice(0, 10) : words.draft;
  const items = detail.items.map((item) => {
    const adoptions = item.adoptions.map((adoption) => `<li>${e(adoption.body)}${adoption.note ? `<span class="muted">（${e(adoption.note)}）</span>` : ''}</li>`).join('');
    return `<li class="item">
<h3>${e(item.position)}. ${e(item.kindLabel)}｜${e(item.title)}</h3>
<div class="facts">${e(item.number)}　${e(item.unitName)}</div>
<p>${e(item.summary)}</p>
${adoptions ? `<div class="adoptions"><strong>${e(words.adoption)}</strong><ul>${adoptions}</ul></div>` : ''}
</li>`;
  });
  return `<!DOCTYPE html>
<html lang="${language}">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>${e(words.masthead)} ${e(words.issue(detail))} ${e(detail.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${language === 'zh-CN' ? '《社情民意》' : e(words.masthead)}</h1>
<p class="issue">${e(words.issue(detail))}${detail.sequence === null ? ` ${e(words.draft)}` : ''}</p>
<p class="meta"><span>${e(words.unit)}：${e(detail.unitName)}</span><span>${e(words.date)}：${e(date)}</span></p>
</header>
<h2>${e(detail.title)}</h2>
${detail.editorNote ? `<section class="note"><strong>${e(words.editorNote)}：</strong><p>${e(detail.editorNote)}</p></section>` : ''}
<ol>${items.length > 0 ? items.join('\n') : `<li class="muted">${e(words.noItems)}</li>`}</ol>
<footer>${e(detail.issue ?? words.issue(detail))}　${e(detail.unitName)}　<span class="muted">${e(detail.id)}</span><br />${e(words.footer(timeZone))}</footer>
</body>
</html>
`;
}
