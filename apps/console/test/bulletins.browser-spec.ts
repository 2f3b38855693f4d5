import { beforeAll, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { Api } from '../../api/test/support/api.js';
import { describeInBrowser, SLOW, useConsole, type ConsoleHarness } from './support/browser.js';

/** Waits until the locator's text contains `text`. */
async function shows(locator: Locator, text: string | RegExp): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor();
}

const LAMPS = '东关社区路灯损坏无人维修';
const LAMPS_AGAIN = '东关路灯夜间不亮影响出行';
const PARKING = '幸福小区停车位紧张';

/** Clicks the screen's export button and answers the file the browser saved: its suggested name and its bytes. */
async function exported(page: Page): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 Excel' }).click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), bytes: await readFile(path) };
}

describeInBrowser('console 社情民意')('the console: bulletins, appraisal, rankings, hotspots, exports and similar cases', () => {
  let h: ConsoleHarness;
  let api: Api;
  useConsole((harness) => (h = harness));
  beforeAll(async () => {
    api = new Api(h.t);
    await api.file({ kind: 'suggestion', title: LAMPS, description: '东关社区主干道路灯损坏已有两周，夜间出行不便，建议尽快维修。' });
    await api.file({ kind: 'suggestion', title: LAMPS_AGAIN, description: '路灯不亮，老人夜间出行摔倒，建议增设路灯。' });
    await api.file({ kind: 'grievance', title: PARKING, description: '小区停车位不足，车辆乱停乱放。' });
    await h.settle();
  }, SLOW);

  it(
    'a coordinator searches, picks two cases, composes a bulletin, previews it and publishes it as issue 1',
    async () => {
      const page = await h.loginAs('hd-dg.coordinator');
      await page.getByRole('link', { name: '案件查询' }).click();
      await page.getByLabel('关键词').fill('路灯');
      await page.getByRole('button', { name: '查询', exact: true }).click();
      await shows(page.locator('.list-total'), '按相关度排序');
      await shows(page.locator('.case-list'), LAMPS);
      // The words match, so the parking case is not among the results.
      expect(await page.locator('.case-list').innerText()).not.toContain(PARKING);

      await page.getByRole('checkbox', { name: new RegExp(LAMPS) }).check();
      await page.getByRole('checkbox', { name: new RegExp(LAMPS_AGAIN) }).check();
      await shows(page.locator('.compose-bar'), '已选 2 件案件编入简报');
      await page.getByRole('link', { name: '编辑简报' }).click();

      await page.getByRole('heading', { name: '编辑简报' }).waitFor();
      await page.getByLabel('简报标题').fill('路灯维修问题专报');
      await page.getByLabel('编者按').fill('两件反映集中于同一路段，请相关部门关注。');
      // The second pick goes first.
      await page.getByRole('button', { name: `上移：${LAMPS_AGAIN}` }).click();
      await page.getByRole('button', { name: '预览' }).click();
      const preview = page.getByTestId('bulletin-preview');
      await shows(preview, '路灯维修问题专报');
      const order = await preview.locator('li strong').allInnerTexts();
      expect(order).toEqual([LAMPS_AGAIN, LAMPS]);
      await h.screenshot(page, 'bulletin-compose');

      await page.getByRole('button', { name: '发布', exact: true }).click();
      await shows(page.getByTestId('bulletin-issue'), /\d{4}年第1期/);
      expect(new URL(page.url()).pathname).toMatch(/^\/bulletins\/[0-9a-f-]{36}$/);
      expect(await page.locator('.bulletin-item h2').allInnerTexts()).toEqual([LAMPS_AGAIN, LAMPS]);

      await page.getByRole('link', { name: '简报' }).click();
      await shows(page.locator('.bulletin-list'), '路灯维修问题专报');
      await shows(page.locator('.bulletin-list'), /第1期/);
      await h.screenshot(page, 'bulletin-published');
    },
    SLOW,
  );

  it(
    'the town leader reads the published bulletin and annotates an item at the town level',
    async () => {
      await h.settle();
      const page = await h.loginAs('hd-dg.leader');
      // The publication reached the leader as a notification that opens the bulletin.
      await page.getByRole('link', { name: /^通知/ }).click();
      const notice = page.locator('.notification').filter({ hasText: '简报发布' }).first();
      await notice.getByRole('link', { name: '查看简报' }).click();
      await shows(page.getByTestId('bulletin-issue'), /第1期/);
      await page.getByRole('link', { name: '简报', exact: true }).click();
      await page.getByRole('link', { name: /路灯维修问题专报/ }).click();
      await shows(page.getByTestId('bulletin-issue'), /第1期/);
      await page.getByRole('button', { name: `批示：${LAMPS}` }).click();
      const form = page.getByRole('form', { name: `批示：${LAMPS}` });
      await form.getByRole('button', { name: '批示', exact: true }).click();
      await shows(form, '必填');
      await form.getByLabel('批示内容（镇街级）').fill('请城管科本周内完成维修并回复。');
      await form.getByRole('button', { name: '批示', exact: true }).click();
      const item = page.locator('.bulletin-item').filter({ hasText: LAMPS }).filter({ hasNotText: LAMPS_AGAIN });
      await shows(item.locator('.adoptions'), '镇街级批示');
      await shows(item.locator('.adoptions'), '请城管科本周内完成维修并回复。');
      await h.screenshot(page, 'bulletin-annotated');

      // The printable page opens in a tab of its own.
      const [printable] = await Promise.all([page.context().waitForEvent('page'), page.getByRole('button', { name: '打印版' }).click()]);
      await printable.waitForURL(/^blob:/);
      await printable.getByText('路灯维修问题专报').first().waitFor();
    },
    SLOW,
  );

  it(
    'a draft is saved, opened again, changed and published from its page as the next issue',
    async () => {
      const page = await h.loginAs('hd-dg.coordinator');
      await page.goto(`${h.base}/cases?q=${encodeURIComponent('停车')}`);
      await page.getByRole('checkbox', { name: new RegExp(PARKING) }).check();
      await page.getByRole('link', { name: '编辑简报' }).click();
      await page.getByRole('button', { name: '存为草稿' }).click();
      await shows(page.locator('.field', { hasText: '简报标题' }), '必填');
      await page.getByLabel('简报标题').fill('停车问题');
      await page.getByRole('button', { name: '存为草稿' }).click();
      await shows(page.getByTestId('bulletin-issue'), '草稿');

      await page.getByRole('link', { name: '修改草稿' }).click();
      await page.getByLabel('简报标题').fill('停车难问题专报');
      await page.getByRole('button', { name: '存为草稿' }).click();
      await page.getByRole('heading', { name: '停车难问题专报' }).waitFor();
      await page.getByRole('button', { name: '发布', exact: true }).click();
      await shows(page.getByTestId('bulletin-issue'), /\d{4}年第2期/);
      expect(await page.getByRole('link', { name: '修改草稿' }).count()).toBe(0);
    },
    SLOW,
  );

  it(
    'a coordinator records on a case page that its opinion was adopted',
    async () => {
      const page = await h.loginAs('hd-dg.coordinator');
      await page.goto(`${h.base}/cases?q=${encodeURIComponent('停车')}`);
      await page.getByRole('link', { name: new RegExp(PARKING) }).click();
      const form = page.getByRole('form', { name: '登记采用' });
      await form.getByRole('button', { name: '登记采用' }).click();
      await shows(form, '必填');
      // A town coordinator records adoptions from the community level the case was filed at up to the town's.
      const levels = form.getByLabel('采用层级').locator('option:not([value=""])');
      expect(await levels.allInnerTexts()).toEqual(['社区（村）级', '镇街级']);
      await form.getByLabel('采用层级').selectOption('town');
      await form.getByLabel('采用情况').fill('街道采纳，增设临时停车位。');
      await form.getByRole('button', { name: '登记采用' }).click();
      await shows(page.getByRole('status'), '已登记采用。');
      await shows(page.locator('.adoption-panel .adoptions'), '镇街级采用');
      await shows(page.locator('.adoption-panel .adoptions'), '街道采纳，增设临时停车位。');
    },
    SLOW,
  );

  it(
    'the ranking screen shows the units under the town in a table and a chart, the log position it was computed at, and scores under weights being tried',
    async () => {
      const page = await h.loginAs('hd-dg.coordinator');
      await page.getByRole('link', { name: '排名' }).click();
      const table = page.getByTestId('ranking');
      await shows(table, '东关社区');
      const rows = await table.locator('tbody tr').count();
      expect(rows).toBeGreaterThan(0);
      expect(await page.getByTestId('ranking-chart').locator('rect').count()).toBe(rows);
      await shows(page.getByTestId('ranking-anchor'), /按日志位置 \d+ 计算/);
      await h.screenshot(page, 'rankings');

      // A weighting tried before it is adopted: the response rate alone. The hint shows the weights the server used.
      const weights = { responseRate: '1', resolutionRate: '0', satisfactionRate: '0', onTimeRate: '0' };
      for (const [rate, weight] of Object.entries(weights)) await page.getByTestId(`weight-${rate}`).fill(weight);
      await page.getByRole('button', { name: '统计' }).click();
      await shows(page.locator('.field').filter({ has: page.getByTestId('weight-responseRate') }), '当前 1）');
      await shows(page.locator('.field').filter({ has: page.getByTestId('weight-onTimeRate') }), '当前 0）');
      // Each unit's score is now its response rate (a null rate counts as the units' mean: none here is null).
      for (const row of await table.locator('tbody tr').all()) {
        const cells = await row.locator('td').allInnerTexts();
        const [response, score] = [cells[2]!, cells.at(-1)!];
        if (response.endsWith('%')) expect(Number(score)).toBeCloseTo(Number(response.replace('%', '')), 0);
      }
    },
    SLOW,
  );

  it(
    'an export button downloads the screen as an Excel workbook under the server’s file name',
    async () => {
      await h.settle();
      const page = await h.loginAs('hd-dg.coordinator');
      await page.getByRole('link', { name: '案件查询' }).click();
      await shows(page.locator('.case-list'), PARKING);
      const cases = await exported(page);
      expect(cases.name).toMatch(/\.xlsx$/);
      expect(cases.bytes.subarray(0, 2).toString('latin1')).toBe('PK');

      await page.getByRole('link', { name: '考核' }).click();
      await shows(page.getByTestId('appraisal'), '东关社区信息员');
      // The leader's town-level annotation (4 points) and the town-level adoption (2 points) count for the clerk who filed both cases.
      const clerk = page.getByTestId('appraisal').locator('tbody tr').filter({ hasText: '东关社区信息员' });
      expect((await clerk.locator('td').allInnerTexts()).slice(-2)).toEqual(['2', '6']);
      const appraisal = await exported(page);
      expect(appraisal.name).toMatch(/\.xlsx$/);
      expect(appraisal.bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    },
    SLOW,
  );

  it(
    'the hotspots screen shades the period’s frequent terms',
    async () => {
      const page = await h.loginAs('hd-dg.coordinator');
      await page.getByRole('link', { name: '热点' }).click();
      const table = page.getByTestId('hotspots');
      await shows(table, '路灯');
      expect(await table.locator('td[class*="heat-"]:not(.heat-0)').count()).toBeGreaterThan(0);
    },
    SLOW,
  );

  it(
    'while a clerk types a title, open cases like it are shown, each linking to the case',
    async () => {
      const page = await h.loginAs('hd-dg-1.clerk');
      await page.getByRole('heading', { name: '登记案件' }).waitFor();
      await page.getByLabel('标题').fill('路');
      // One character is not enough to look anything up.
      await page.getByLabel('情况描述').fill('路灯坏了');
      expect(await page.getByTestId('similar-cases').count()).toBe(0);
      await page.getByLabel('标题').fill('路灯损坏');
      const similar = page.getByTestId('similar-cases');
      await shows(similar, '可能重复：查看已有案件');
      const link = similar.getByRole('link', { name: new RegExp(LAMPS) });
      expect(await link.getAttribute('href')).toMatch(/^\/cases\/[0-9a-f-]{36}$/);
      await h.screenshot(page, 'similar-cases');
    },
    SLOW,
  );
});
