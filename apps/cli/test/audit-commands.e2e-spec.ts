import { describe, expect, it, jest } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Api, DEMO_USERS, MASKED_PHONE, PHONE, type Filed } from '../../api/test/support/api.js';
import { behindTheStore, rewriteStreamConsistently } from '../../api/test/support/tamper.js';
import type { TestApp } from '../../api/test/support/test-app.js';
import { useCliApp, type CliApp, type CliRun } from './support/run-cli.js';

const MINUTE = 60_000;
/** The three cases filed below, and the demo accounts' streams. */
const STREAMS = 3 + DEMO_USERS.length;
const LONG = 60_000;
// Each run of the CLI is a fresh Node.js process that loads the engine's libraries and connects.
jest.setTimeout(120_000);

/**
 * verify, replay and export against a database that the HTTP API filled, with the events table
 * tampered with directly at the end. The describe blocks run in order on one database.
 */
describe('audit commands: verify, replay, export', () => {
  let t: TestApp;
  let api: Api;
  let dir: string;
  let cli: CliApp['cli'];
  let parking: Filed;
  let lamp: Filed;
  /** Rewritten whole to test anchors. */
  let target: Filed;
  let times: string[];

  /** Several runs, a few at a time (each is a process of its own). */
  const cliEach = async (argsList: readonly (readonly string[])[]): Promise<CliRun[]> => {
    const runs: CliRun[] = [];
    for (let i = 0; i < argsList.length; i += 3) runs.push(...(await Promise.all(argsList.slice(i, i + 3).map((args) => cli(...args)))));
    return runs;
  };

  useCliApp(async (app) => {
    ({ t, api, dir, cli } = app);
    times = [];
    const step = async <T>(work: () => Promise<T>) => {
      t.advance(MINUTE);
      times.push(t.now().toISOString());
      return work();
    };
    parking = await step(() => api.file({ title: '小区停车位纠纷', parties: [{ name: '李四', role: '楼上住户' }] }));
    await step(() => api.must('hd-dg-1.coordinator', parking.id, 'accept'));
    await step(() => api.must('hd-dg-1.coordinator', parking.id, 'notes', { type: 'visit', text: '上门走访当事人' }));
    await step(() => api.must('hd-dg-1.coordinator', parking.id, 'escalate', { reason: '需街道协调' }));
    await step(() => api.must('hd-dg.coordinator', parking.id, 'accept'));
    await step(() => api.must('hd-dg.coordinator', parking.id, 'request-annotation', { summary: '请领导批示' }));
    const last = await step(() => api.must('hd.leader', parking.id, 'annotate', { instruction: '请街道抓紧调解' }));
    lamp = await api.file({ kind: 'suggestion', title: '<增设路灯>', unitId: 'hd-dg-1-g1' });
    target = await api.file({ title: '锚点测试' });
    await api.caughtUp(Math.max(last.position, target.position));
  }, LONG);

  describe('verify', () => {
    it('exits 0 on a whole store and says how much it checked', async () => {
      const run = await cli('verify');
      expect(run).toMatchObject({ code: 0, stdout: `verified ${STREAMS} streams and ${await api.eventCount()} events: the store is whole\n` });
      const json = await cli('verify', '--json');
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual({ ok: true, streams: STREAMS, events: await api.eventCount(), files: 0, broken: [] });
    });

    it('prints an anchor that still matches after more events, and no longer after a consistent rewrite', async () => {
      const taken = await cli('verify', '--anchor');
      expect(taken.code).toBe(0);
      const lines = taken.stdout.trim().split('\n');
      expect(lines[1]).toMatch(/^anchor at global position \d+ \(keep it elsewhere\):$/);
      const anchor = JSON.parse(lines.at(-1)!);
      const history = (await api.get('auditor', `/api/v1/cases/${target.id}/history`)).body.events;
      expect(anchor).toEqual({ position: history.at(-1).position, commit: expect.stringMatching(/^\d+$/), streams: STREAMS, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(JSON.parse((await cli('verify', '--anchor', '--json')).stdout).anchor).toEqual(anchor);

      await api.must('hd-dg-1.coordinator', lamp.id, 'accept');
      const file = join(dir, 'anchor.json');
      await writeFile(file, JSON.stringify(anchor));
      for (const kept of [JSON.stringify(anchor), file]) {
        const check = await cli('verify', '--check-anchor', kept);
        expect(check.code).toBe(0);
        expect(check.stdout).toContain(`the anchor at global position ${anchor.position} still matches`);
      }

      // Rewrite a case's filing consistently: new title, hashes recomputed, head row moved along.
      const streamId = `case-${target.id}`;
      await rewriteStreamConsistently(t.engine.pool, t.engine.store, streamId, (event) =>
        event.revision === 0 ? { ...event.data, title: '改写后的标题' } : event.data,
      );
      const mismatch = await cli('verify', '--check-anchor', file);
      expect(mismatch.code).toBe(1);
      expect(mismatch.stdout).toContain('the store is whole');
      expect(mismatch.stdout).toContain(`the anchor at global position ${anchor.position} does NOT match`);
      expect(JSON.parse((await cli('verify', '--check-anchor', file, '--json')).stdout)).toMatchObject({ ok: true, anchorMatches: false });
    });

    it('exits 2 on bad usage, naming what is wrong', async () => {
      const cases: [string[], RegExp][] = [
        [['verify', '--check-anchor', '{"position":1}'], /--check-anchor: anchor field "commit"/],
        [['verify', '--check-anchor', join(dir, 'missing.json')], /--check-anchor: .* neither an anchor's JSON nor a file/],
        [['verify', '--check-anchor', '{not json'], /--check-anchor: the anchor is not JSON/],
        [['verify', '--anchor', '--check-anchor', '{}'], /not both/],
        [['verify', '--position', '3'], /--position goes with --anchor/],
        [['verify', '--anchor', '--position', 'x'], /--position must be a global position/],
        [['verify', '--anchor', '--position', '999999'], /no event has global position 999999/],
        [['verify', '--fast'], /unknown option --fast/],
        [['verify', 'extra'], /unexpected argument "extra"/],
      ];
      const runs = await cliEach(cases.map(([args]) => args));
      for (const [index, [args, message]] of cases.entries()) {
        expect({ args, code: runs[index]!.code }).toEqual({ args, code: 2 });
        expect(runs[index]!.stderr).toMatch(message);
        expect(runs[index]!.stderr).toContain('Usage: npm run cli -- verify');
      }
    });
  });

  describe('replay', () => {
    it('prints the timeline and the case now, in Chinese by default, by number or by id', async () => {
      const run = await cli('replay', parking.number);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      const out = run.stdout;
      expect(out.split('\n')[0]).toBe(`案件 ${parking.number}「小区停车位纠纷」`);
      expect(out).toContain(`案件标识：${parking.id}`);
      expect(out).toContain('办理过程（时间为 Asia/Shanghai 时间）');
      expect(out).toMatch(/ {2}#0 {2}2026-11-02 09:01:00 {2}\S+（hd-dg-1\.clerk） · 信息员 · 东关社区\n {6}登记矛盾纠纷案件「小区停车位纠纷」，来源：来访，一般，登记单位：东关社区，反映人：张三/);
      expect(out).toContain('添加走访记录：上门走访当事人');
      expect(out).toContain('由东关社区上报东关街道，理由：需街道协调');
      expect(out).toContain('领导批示：请街道抓紧调解');
      expect(out).toContain('截至第 6 条记录（2026-11-02 09:07:00）的案件状态');
      expect(out).toContain('状态：协调办理中');
      expect(out).toContain('所在单位：东关街道 (hd-dg)');
      expect(out).toContain(`反映人：张三 ${MASKED_PHONE}`);
      expect(out).not.toContain(PHONE);
      expect(out).toMatch(/办理时限：\n {4}受理：[^\n]+（按时完成）/);
      expect(out).toMatch(/领导批示：\n {4}请街道抓紧调解 — 河东区领导（hd\.leader），2026-11-02 09:07:00/);
      expect(out).toMatch(/办理记录：\n {4}【备注】已受理 — /);
      expect((await cli('replay', parking.id)).stdout).toBe(out);
      expect((await cli('replay', parking.number.toLowerCase())).stdout).toBe(out);
    });

    it('in English, and as the case stood at a revision or a time', async () => {
      const run = await cli('replay', parking.number, '--lang', 'en', '--revision', '3');
      expect(run.code).toBe(0);
      const out = run.stdout;
      expect(out.split('\n')[0]).toBe(`Case ${parking.number} "小区停车位纠纷"`);
      expect(out).toContain('Timeline (times in Asia/Shanghai)');
      expect(out).toContain('filed a dispute case "小区停车位纠纷" via walk-in, urgency normal, at 东关社区, filer 张三');
      expect(out).toContain('added a visit note: 上门走访当事人');
      expect(out).toContain('escalated from 东关社区 to 东关街道: 需街道协调');
      expect(out).not.toContain('annotated');
      expect(out).toContain('(3 later events not shown)');
      expect(out).toContain('The case as it stood after revision 3 (2026-11-02 09:04:00)');
      expect(out).toContain('Status: filed');
      expect(out).toContain('Unit: 东关街道 (hd-dg)');
      expect(out).toContain('Annotations: none');

      const at = await cli('replay', parking.id, '--at', new Date(Date.parse(times[1]!) + 30_000).toISOString());
      expect(at.code).toBe(0);
      expect(at.stdout).toContain('截至第 1 条记录（2026-11-02 09:02:00）的案件状态');
      expect(at.stdout).toContain('（此后还有 5 条记录，未列出）');
      expect(at.stdout).toContain('状态：协调办理中');
      const exact = await cli('replay', parking.id, '--at', '2026-11-02T09:01:00+08:00');
      expect(exact.stdout).toContain('截至第 0 条记录');
      expect(exact.stdout).toContain('状态：已登记');
    });

    it('exits 1 for an unknown case and 2 on bad options', async () => {
      const unknown = ['MY-2026-000123', '0195a1b2-0000-7000-8000-000000000042', 'nonsense'];
      const answers = await cliEach(unknown.map((reference) => ['replay', reference]));
      expect(answers).toEqual(unknown.map((reference) => ({ code: 1, stdout: '', stderr: `minyi replay: no case ${reference}\n` })));
      const cases: [string[], RegExp][] = [
        [['replay'], /name a case/],
        [['replay', parking.number, '--revision', '-1'], /--revision must be a revision number/],
        [['replay', parking.number, '--revision', 'two'], /--revision must be a revision number/],
        [['replay', parking.number, '--revision', '7'], new RegExp(`--revision 7: case ${parking.number} has revisions 0 to 6`)],
        [['replay', parking.number, '--at', 'yesterday'], /--at must be an ISO 8601 time with an offset/],
        [['replay', parking.number, '--at', '2026-11-02T09:00:00'], /--at must be an ISO 8601 time with an offset/],
        [['replay', parking.number, '--at', '2026-11-01T09:00:00+08:00'], /was filed later/],
        [['replay', parking.number, '--revision', '1', '--at', '2026-11-02T09:05:00+08:00'], /give --revision or --at, not both/],
        [['replay', parking.number, '--lang', 'fr'], /--lang must be zh or en, got "fr"/],
        [['replay', parking.number, 'extra'], /unexpected argument "extra"/],
      ];
      const runs = await cliEach(cases.map(([args]) => args));
      for (const [index, [args, message]] of cases.entries()) {
        expect({ args, code: runs[index]!.code }).toEqual({ args, code: 2 });
        expect(runs[index]!.stderr).toMatch(message);
      }
      const help = await cli('replay', '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Usage: npm run cli -- replay <case number or id>');
    });
  });

  describe('export', () => {
    it('writes the dossier as JSON, and as a printable HTML page to a file', async () => {
      const json = await cli('export', parking.number);
      expect(json.code).toBe(0);
      const dossier = JSON.parse(json.stdout);
      const detail = await api.detail('auditor', parking.id);
      const { allowedActions: _, ...shown } = detail;
      expect(dossier.case).toEqual(shown);
      expect(dossier.case.filer.phone).toBe(MASKED_PHONE);
      expect(dossier.timeline).toHaveLength(7);
      expect(dossier.timeline[3].description).toBe('由东关社区上报东关街道，理由：需街道协调');
      expect(dossier.verification).toMatchObject({ ok: true, events: 7 });
      expect(dossier.generatedBy).toMatchObject({ userId: null, via: 'cli' });

      const out = join(dir, 'dossier.html');
      const html = await cli('export', lamp.id, '--format', 'html', '--out', out);
      expect(html).toMatchObject({ code: 0, stdout: '' });
      expect(html.stderr).toContain(`wrote the dossier of ${lamp.number} to ${out}`);
      const page = await readFile(out, 'utf8');
      expect(page).toMatch(/^<!DOCTYPE html>\n<html lang="zh-CN">/);
      expect(page).toContain(lamp.number);
      expect(page).toContain('&lt;增设路灯&gt;');
      expect(page).not.toContain('<增设路灯>');
    });

    it('exits 1 for an unknown case and 2 on bad options', async () => {
      expect(await cli('export', 'MY-2026-000123')).toEqual({ code: 1, stdout: '', stderr: 'minyi export: no case MY-2026-000123\n' });
      const bad = await cli('export', parking.number, '--format', 'pdf');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--format must be json or html, got "pdf"');
      expect((await cli('export')).code).toBe(2);
    });
  });

  describe('after tampering with the events table', () => {
    it('verify exits 1 and lists exactly the broken streams with their case numbers', async () => {
      await behindTheStore(t.engine.pool, async (client) => {
        expect((await client.query(`UPDATE events SET data = jsonb_set(data, '{text}', '"篡改"') WHERE stream_id = $1 AND revision = 2`, [`case-${parking.id}`])).rowCount).toBe(1);
        expect((await client.query('DELETE FROM events WHERE stream_id = $1 AND revision = 1', [`case-${lamp.id}`])).rowCount).toBe(1);
      });
      const run = await cli('verify');
      expect(run.code).toBe(1);
      const lines = run.stdout.trim().split('\n');
      expect(lines[0]).toBe(`verified ${STREAMS} streams and ${await api.eventCount()} events: 2 broken streams`);
      expect(lines.slice(1).sort()).toEqual(
        [
          `  ${parking.number}  case-${parking.id}  from revision 2: revision 2 was altered: its hash does not match its contents`,
          `  ${lamp.number}  case-${lamp.id}  from revision 1: the head row records revision 1 but the events end at 0: events were removed`,
        ].sort(),
      );
      const json = JSON.parse((await cli('verify', '--json')).stdout);
      expect(json.broken.map((b: { caseNumber: string; revision: number }) => [b.caseNumber, b.revision]).sort()).toEqual(
        [
          [parking.number, 2],
          [lamp.number, 1],
        ].sort(),
      );
      // The export shows the broken chain too.
      expect(JSON.parse((await cli('export', parking.id)).stdout).verification).toMatchObject({ ok: false, firstBrokenRevision: 2 });
    });
  });
});
