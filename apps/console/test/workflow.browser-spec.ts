import { expect, it } from '@jest/globals';
import type { Locator, Page } from 'playwright-core';
import { describeInBrowser, SLOW, useConsole, type ConsoleHarness } from './support/browser.js';

const TITLE = '幸福小区停车位纠纷';

/** Waits until the locator's text contains `text`. */
async function shows(locator: Locator, text: string | RegExp): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor();
}

/** Opens an action's form from the case page, fills it and submits it. */
async function act(page: Page, action: string, fill: (form: Locator) => Promise<void> = async () => undefined): Promise<void> {
  await page.locator('.action-buttons').getByRole('button', { name: action, exact: true }).click();
  const form = page.getByRole('form', { name: action });
  await fill(form);
  await form.getByRole('button', { name: action, exact: true }).click();
  await shows(page.getByRole('status'), `已完成：${action}`);
}

describeInBrowser('console workflow')('the console: one case from intake to annotation, worked by each role in turn', () => {
  let h: ConsoleHarness;
  useConsole((harness) => (h = harness));
  let casePath = '';

  it(
    'a clerk files a dispute on the intake form, sees who is logged in, and finds the case under my cases',
    async () => {
      const page = await h.loginAs('hd-dg-1.clerk');
      await page.getByRole('heading', { name: '登记案件' }).waitFor();
      const account = page.locator('.account');
      expect(await account.innerText()).toMatch(/东关社区信息员[\s\S]*东关社区 · 信息员/);
      await h.screenshot(page, 'clerk-intake-form');

      await page.getByLabel('类别').selectOption('dispute');
      await page.getByLabel('来源渠道').selectOption('walk_in');
      await page.getByLabel('标题').fill(TITLE);
      await page.getByLabel('情况描述').fill('业主与物业因停车位分配发生争执，请求社区调解。');
      await page.getByLabel('反映人姓名').fill('张三');
      await page.getByLabel('联系电话').fill('13812345678');
      await page.getByRole('button', { name: '添加当事人' }).click();
      await page.getByRole('textbox', { name: '姓名', exact: true }).fill('李四');
      await page.getByLabel('身份或关系').fill('楼上住户');
      await page.getByRole('button', { name: '登记', exact: true }).click();

      const filed = page.getByText(/已登记，案件编号 \S+。/);
      await filed.waitFor();
      const number = (await filed.innerText()).match(/案件编号 (\S+)。/)![1]!;
      await page.getByRole('link', { name: '查看案件' }).click();
      await page.getByRole('heading', { name: TITLE }).waitFor();
      casePath = new URL(page.url()).pathname;
      expect(casePath).toMatch(/^\/cases\/[0-9a-f-]{36}$/);
      await shows(page.locator('.case-number-line'), number);
      await shows(page.locator('.facts'), '李四');

      await page.getByRole('link', { name: '我登记的' }).click();
      await page.getByRole('heading', { name: '我登记的案件' }).waitFor();
      await shows(page.locator('.case-list'), TITLE);
      expect(await page.locator('.case-card').count()).toBe(1);
      await h.screenshot(page, 'clerk-my-cases');
    },
    SLOW,
  );

  it(
    'the community coordinator finds it in the inbox, is notified, accepts it and escalates it to the town',
    async () => {
      await h.settle();
      const page = await h.loginAs('hd-dg-1.coordinator');
      await page.getByRole('heading', { name: '待办案件' }).waitFor();
      await shows(page.locator('.case-list'), TITLE);
      await h.screenshot(page, 'coordinator-inbox');

      // The filing notified the unit's coordinators; delivery runs as a background job.
      for (let attempt = 0; (await page.getByTestId('unread-count').innerText()) === '0'; attempt++) {
        if (attempt > 40) throw new Error('no unread notification arrived');
        await page.waitForTimeout(250);
        await page.reload();
      }
      await page.getByRole('link', { name: /^通知，\d+ 条未读$/ }).click();
      await page.getByRole('heading', { name: '通知' }).waitFor();
      await shows(page.locator('.notifications'), '登记');
      await page.getByRole('button', { name: '全部标为已读' }).click();
      await page.getByRole('link', { name: '通知，0 条未读' }).waitFor();

      await page.goto(`${h.base}${casePath}`);
      await page.getByRole('heading', { name: TITLE }).waitFor();
      await act(page, '受理', (form) => form.getByLabel('受理意见').fill('已受理，约双方面谈'));
      await shows(page.locator('.case-number-line'), '协调办理中');
      await shows(page.locator('.deadlines'), '办理时限');
      await h.screenshot(page, 'coordinator-case');

      await act(page, '上报', (form) => form.getByLabel('理由').fill('涉及多个小区，需街道协调'));
      await shows(page.locator('.case-number-line'), '已登记');
      await shows(page.locator('.facts').first(), '东关街道');
      await shows(page.locator('.timeline'), '上报');
    },
    SLOW,
  );

  it(
    'the town coordinator accepts it and asks the leader for an annotation',
    async () => {
      await h.settle();
      const page = await h.loginAs('hd-dg.coordinator');
      await shows(page.locator('.case-list'), TITLE);
      await page.getByRole('link', { name: new RegExp(TITLE) }).click();
      await act(page, '受理');
      await act(page, '提请批示', (form) => form.getByLabel('情况说明').fill('双方分歧较大，请领导批示'));
      await shows(page.locator('.case-number-line'), '待领导批示');
      expect(await page.locator('.action-buttons').getByRole('button').allInnerTexts()).not.toContain('批示');
    },
    SLOW,
  );

  it(
    'the leader sees it awaiting annotation and annotates it, handing it back to the community',
    async () => {
      await h.settle();
      const page = await h.loginAs('hd-dg.leader');
      await page.getByRole('heading', { name: '待批示案件' }).waitFor();
      await shows(page.locator('.case-list'), TITLE);
      await h.screenshot(page, 'leader-awaiting-annotation');
      await page.getByRole('link', { name: new RegExp(TITLE) }).click();
      await shows(page.locator('.card-accent'), '双方分歧较大，请领导批示');

      await page.locator('.action-buttons').getByRole('button', { name: '批示', exact: true }).click();
      const form = page.getByRole('form', { name: '批示' });
      // The hand-down picker offers the units under the leader's town.
      expect(await form.getByLabel('交办单位').locator('option').allInnerTexts()).toEqual([
        '不指定',
        '东关街道',
        '东关社区',
        '东关社区第一网格',
        '东关社区第二网格',
      ]);
      await form.getByLabel('批示意见').fill('请社区牵头，两周内拿出方案');
      await form.getByLabel('交办单位').selectOption('hd-dg-1');
      await form.getByRole('button', { name: '批示', exact: true }).click();
      await shows(page.getByRole('status'), '已完成：批示');
      await shows(page.locator('.case-number-line'), '督办');
      await shows(page.locator('.case-number-line'), '协调办理中');
      await shows(page.locator('.entries'), '请社区牵头，两周内拿出方案');
      await h.screenshot(page, 'leader-case-annotated');
      expect(await page.locator('.action-buttons').getByRole('button').allInnerTexts()).toEqual(['延长时限']);

      // Only clocks still running can be extended: the resolve clock is, the accept clock met its deadline.
      await page.locator('.action-buttons').getByRole('button', { name: '延长时限', exact: true }).click();
      const extend = page.getByRole('form', { name: '延长时限' });
      expect(await extend.getByLabel('时限').locator('option').allInnerTexts()).toEqual(['请选择', '办理时限']);
      await extend.getByLabel('时限').selectOption('resolve');
      await extend.getByLabel('延长工作日数').fill('3');
      await extend.getByLabel('理由').fill('需协调物业公司');
      await extend.getByRole('button', { name: '延长时限', exact: true }).click();
      await shows(page.getByRole('status'), '已完成：延长时限');
      await shows(page.locator('.case-side'), '办理时限延长 3 个工作日：需协调物业公司');
    },
    SLOW,
  );

  it(
    'an auditor finds the case, sees its record verified, and views it as it stood before the annotation',
    async () => {
      await h.settle();
      const page = await h.loginAs('auditor');
      await page.getByRole('heading', { name: '案件查询' }).waitFor();
      await h.screenshot(page, 'auditor-cases');
      await page.getByLabel('关键词').fill('停车位');
      await page.getByRole('button', { name: '查询' }).click();
      await page.waitForURL(/q=/);
      await page.getByRole('link', { name: new RegExp(TITLE) }).click();

      await shows(page.getByTestId('verify-badge'), /记录完整：7 条事件/);
      await shows(page.locator('.timeline'), '领导批示');
      const revision = page.getByRole('combobox', { name: '版本' });
      const options = await revision.locator('option').allInnerTexts();
      const beforeAnnotation = options.find((label) => label.includes('提请批示'))!;
      expect(beforeAnnotation).toBe('第 4 版 · 提请批示');
      await revision.selectOption({ label: beforeAnnotation });
      const then = page.getByTestId('state-at');
      await shows(then, '第 4 版时的案件');
      await shows(then.locator('.facts'), '待领导批示');
      await shows(then.locator('.facts'), '东关街道');
      expect(await then.locator('.badge-supervised').count()).toBe(0);
      await h.screenshot(page, 'auditor-case-as-of-revision');

      // By time (the page's clock is Asia/Shanghai, as the app's): a minute before filing there was no case.
      await page.getByRole('button', { name: '按时间' }).click();
      const at = page.getByLabel('时间', { exact: true });
      await at.fill('2026-11-02T08:59');
      await page.getByRole('button', { name: '查看', exact: true }).click();
      await page.getByText('那时案件尚未登记。').waitFor();
      await at.fill('2026-11-02T09:00');
      await page.getByRole('button', { name: '查看', exact: true }).click();
      await shows(page.getByTestId('state-at'), '第 6 版时的案件');

      // The printable dossier opens in a new tab, or the page says it is not available (yet).
      const number = (await page.locator('.case-number').innerText()).trim();
      const popup = page.waitForEvent('popup');
      await page.getByRole('button', { name: '打印卷宗' }).click();
      const tab = await popup;
      const opened = await Promise.race([
        tab.waitForURL(/^blob:/).then(() => 'dossier' as const),
        page
          .getByText('卷宗暂不可用。')
          .waitFor()
          .then(() => 'unavailable' as const),
      ]);
      if (opened === 'dossier') expect(await tab.content()).toContain(number);
      else expect(tab.isClosed()).toBe(true);

      // Statistics for the whole city this year, or a clear word that the server has none.
      await page.getByRole('link', { name: '统计' }).click();
      await page.getByRole('heading', { name: '统计分析' }).waitFor();
      const figures = page.locator('[data-testid="stats"], [data-testid="stats-unavailable"]').first();
      await figures.waitFor();
      if ((await figures.getAttribute('data-testid')) === 'stats') {
        await shows(page.locator('.tile').filter({ hasText: '登记案件' }), '1');
        expect(await page.locator('.bar-row').filter({ hasText: '矛盾纠纷' }).locator('.bar-value').innerText()).toBe('1');
        expect(await page.locator('.gauge').count()).toBe(5);
      } else {
        await shows(figures, '统计暂不可用');
      }
      await h.screenshot(page, 'auditor-stats');
    },
    SLOW,
  );
});
