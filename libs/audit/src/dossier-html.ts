import { label, type OrgTree } from '#domain';
import { caseFacts } from './case-facts.js';
import type { Dossier } from './dossier.js';
import { narrative } from './narrative.js';
import { localTime, type Person, type ReportContext } from './report-context.js';

/** Text for HTML: every character that could start markup or end an attribute is escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Marks markup the renderer built itself, so that only plain strings get escaped. */
class Html {
  constructor(readonly markup: string) {}
}

/** A template tag: interpolated strings are escaped, Html (and arrays of it) go in as they are. */
function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const piece = (value: unknown): string => {
    if (value instanceof Html) return value.markup;
    if (Array.isArray(value)) return value.map(piece).join('');
    if (value === null || value === undefined || value === false) return '';
    return escapeHtml(String(value));
  };
  return new Html(strings.reduce((out, text, index) => out + text + (index < values.length ? piece(values[index]) : ''), ''));
}

const STYLE = `
@page { size: A4; margin: 18mm 16mm 20mm; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 182mm; padding: 12mm 0 16mm; color: #1b1b1b; background: #fff;
  font: 10.5pt/1.65 "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", SimSun, serif; }
header { text-align: center; margin-bottom: 6mm; }
h1 { font-size: 19pt; letter-spacing: 0.3em; margin: 0 0 1mm; }
.subtitle { margin: 0; font-size: 12pt; }
.number { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
h2 { font-size: 12.5pt; margin: 7mm 0 2.5mm; padding-left: 2.5mm; border-left: 3pt solid #9b1c1c; break-after: avoid; page-break-after: avoid; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 0.5pt solid #9a9a9a; padding: 1.3mm 2mm; text-align: left; vertical-align: top; }
th { background: #f2f2f2; font-weight: 600; white-space: nowrap; }
td.time, td.nowrap { white-space: nowrap; }
td.small { font-size: 9pt; }
table.facts th { width: 24%; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
.text { white-space: pre-wrap; margin: 0; }
.muted { color: #555; }
.hash { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 8pt; word-break: break-all; }
.ok { color: #106b34; font-weight: 600; }
.broken { color: #b00020; font-weight: 700; }
ul { margin: 0; padding-left: 5mm; }
footer { margin-top: 9mm; padding-top: 2mm; border-top: 0.5pt solid #9a9a9a; font-size: 9pt; color: #555; }
@media print { body { padding: 0; max-width: none; } }
@media screen { body { padding-left: 6mm; padding-right: 6mm; } }
`;

export interface DossierHtmlContext {
  readonly org: OrgTree;
  readonly people: ReadonlyMap<string, Person>;
}

/**
 * The dossier as a printable page in Chinese: one self-contained HTML document (inline styles,
 * A4 print layout, no scripts, nothing fetched), every piece of user text escaped.
 */
export function renderDossierHtml(dossier: Dossier, names: DossierHtmlContext): string {
  const context: ReportContext = { language: 'zh-CN', org: names.org, people: names.people, timeZone: dossier.timeZone };
  const zh = narrative('zh-CN');
  const time = (iso: string | null) => (iso ? localTime(iso, dossier.timeZone) : '—');
  const theCase = dossier.case;
  const facts = caseFacts(theCase, dossier.clocks, context);
  const { verification } = dossier;

  const factRows = facts.fields.map((fact) => html`<tr><th scope="row">${fact.label}</th><td>${fact.value}</td></tr>`);
  const extraRows = [
    theCase.visitReason ? html`<tr><th scope="row">走访事由</th><td>${label(zh.visitReason, theCase.visitReason)}</td></tr>` : null,
    theCase.occurredAt ? html`<tr><th scope="row">发生时间</th><td>${time(theCase.occurredAt)}</td></tr>` : null,
    theCase.location ? html`<tr><th scope="row">发生地点</th><td>${theCase.location.address}</td></tr>` : null,
    theCase.parties.length > 0
      ? html`<tr><th scope="row">当事人</th><td>${theCase.parties.map((party) => `${party.name}（${party.role}）`).join('；')}</td></tr>`
      : null,
    theCase.mergedIntoCaseId ? html`<tr><th scope="row">并入案件</th><td class="hash">${theCase.mergedIntoCaseId}</td></tr>` : null,
  ];

  const clockRows = dossier.clocks.map(
    (clock) => html`<tr>
      <td class="nowrap">${label(zh.clock, clock.clock)}</td><td class="time">${time(clock.startedAt)}</td><td class="time">${time(clock.dueAt)}</td>
      <td class="nowrap">${label(zh.clockState, clock.state)}</td><td class="time">${time(clock.stoppedAt)}</td><td class="nowrap">${clock.extendedWorkingDays > 0 ? `${clock.extendedWorkingDays} 个工作日` : '—'}</td>
    </tr>`,
  );

  const entries = (items: readonly { label: string; text: string; by: string; at: string }[]) =>
    items.length === 0
      ? html`<p class="muted">无</p>`
      : html`<table><thead><tr><th>时间</th><th>记录人</th><th>内容</th></tr></thead><tbody>${items.map(
          (item) => html`<tr><td class="time">${item.at}</td><td class="small">${item.by}</td><td><p class="text">${item.label ? zh.words.tag(item.label) : ''}${item.text}</p></td></tr>`,
        )}</tbody></table>`;

  const attachmentRows = dossier.attachments.map(
    (attachment) => html`<tr>
      <td>${attachment.name}${attachment.description ? html`<br /><span class="muted small">${attachment.description}</span>` : ''}</td>
      <td class="nowrap">${label(zh.attachmentKind, attachment.kind)}</td><td class="small">${attachment.mediaType}</td><td class="nowrap">${fileSize(attachment.size)}</td>
      <td class="small">${attachment.actorName}<br />${time(attachment.at)}</td><td class="hash">${attachment.sha256}</td>
    </tr>`,
  );

  const timelineRows = dossier.timeline.map(
    (entry) => html`<tr>
      <td>${entry.revision}</td><td class="small">${entry.localTime}</td><td class="small">${entry.actor.name}</td><td class="nowrap">${entry.actor.roleLabel}</td>
      <td class="small">${entry.unit?.name ?? '—'}</td><td>${entry.description}</td>
    </tr>`,
  );

  const fileProblems = verification.problems ?? [];
  const verdict = verification.ok
    ? html`<span class="ok">完整：全部 ${verification.events} 条记录的哈希链与流头记录一致，未发现改动或缺失。</span>`
    : verification.problem === 'attachment'
      ? html`<span class="broken">未通过：附件文件被改动或缺失。</span>${fileProblems.map((p) => html`<br /><span class="muted">${p.message}</span>`)}`
      : html`<span class="broken">未通过：自第 ${verification.firstBrokenRevision} 条记录起，记录被改动或缺失。</span><br /><span class="muted">${verification.problem}</span>${fileProblems.map((p) => html`<br /><span class="muted">${p.message}</span>`)}`;

  const author = dossier.generatedBy.via === 'cli' ? `${dossier.generatedBy.username}（命令行导出）` : dossier.generatedBy.username;

  const page = html`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>案件档案 ${theCase.number} ${theCase.title}</title>
<style>${new Html(STYLE)}</style>
</head>
<body>
<header>
<h1>案件档案</h1>
<p class="subtitle"><span class="number">${theCase.number}</span>「${theCase.title}」</p>
</header>

<section>
<h2>基本信息</h2>
<table class="facts"><tbody>${factRows}${extraRows}</tbody></table>
</section>

<section>
<h2>反映内容</h2>
<p class="text">${theCase.description}</p>
</section>

<section>
<h2>办理时限</h2>
${
  dossier.clocks.length === 0
    ? html`<p class="muted">无</p>`
    : html`<table><thead><tr><th>时限</th><th>开始</th><th>截止</th><th>状态</th><th>结束</th><th>延期</th></tr></thead><tbody>${clockRows}</tbody></table>`
}
</section>

<section>
<h2>领导批示</h2>
${entries(facts.annotations)}
</section>

<section>
<h2>办理记录</h2>
${entries(facts.notes)}
</section>

<section>
<h2>附件</h2>
${
  dossier.attachments.length === 0
    ? html`<p class="muted">无</p>`
    : html`<table><thead><tr><th>名称</th><th>类别</th><th>类型</th><th>大小</th><th>添加</th><th>SHA-256</th></tr></thead><tbody>${attachmentRows}</tbody></table>`
}
</section>

<section>
<h2>办理过程</h2>
<table><thead><tr><th>序号</th><th>时间</th><th>操作人</th><th>角色</th><th>单位</th><th>事项</th></tr></thead><tbody>${timelineRows}</tbody></table>
</section>

<section>
<h2>完整性校验</h2>
<table class="facts"><tbody>
<tr><th scope="row">校验结果</th><td>${verdict}</td></tr>
<tr><th scope="row">记录条数</th><td>${verification.events}</td></tr>
<tr><th scope="row">末条记录哈希</th><td class="hash">${verification.headHash ?? '—'}</td></tr>
</tbody></table>
</section>

<footer>
生成时间：${time(dossier.generatedAt)}（${dossier.timeZone}）　生成人：${author}　案件标识：<span class="hash">${theCase.id}</span><br />
本档案依据案件的全部事件记录生成，时间均为 ${dossier.timeZone} 时间。
</footer>
</body>
</html>
`;
  return page.markup;
}

/** A file size for people: bytes, KB or MB (the exact size is in the JSON dossier). */
function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
