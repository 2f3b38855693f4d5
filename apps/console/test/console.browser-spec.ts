import { beforeAll, expect, it } from '@jest/globals';
import type { Locator, Page, Request } from 'playwright-core';
import { Api } from '../../api/test/support/api.js';
import { describeInBrowser, SLOW, useConsole, type ConsoleHarness } from './support/browser.js';

const HOUR = 3_600_000;

async function shows(locator: Locator, text: string | RegExp): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor();
}

/** The field (label, control, hint, error) whose label reads `label`. */
function field(page: Page, label: string): Locator {
  return page.locator('.field').filter({ has: page.locator('label', { hasText: label }) });
}

/** Fills the intake form with a valid grievance. */
async function fillGrievance(page: Page, title: string): Promise<void> {
  await page.getByLabel('类别').selectOption('grievance');
  await page.getByLabel('来源渠道').selectOption('hotline');
  await page.getByLabel('标题').fill(title);
  await page.getByLabel('情况描述').fill('小区路灯损坏多日无人维修。');
  await page.getByLabel('反映人姓名').fill('王五');
}

describeInBrowser('console')('the console', () => {
  let h: ConsoleHarness;
  let api: Api;
  useConsole((harness) => (h = harness));
  beforeAll(() => {
    api = new Api(h.t);
  });

  it(
    'starts in Chinese, switches to English and remembers the choice, and is used with the keyboard alone',
    async () => {
      const page = await h.page();
      await page.goto(h.base);
      await page.getByRole('heading', { name: '登录' }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
      await page.getByRole('button', { name: 'Switch to English' }).click();
      await page.getByRole('heading', { name: 'Log in' }).waitFor();
      await page.reload();
      await page.getByRole('heading', { name: 'Log in' }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('en');

      // Keyboard only: the username field takes focus first, Enter submits.
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement.name')).toBe('username');
      await page.keyboard.type('hd-dg-1.clerk');
      await page.keyboard.press('Tab');
      await page.keyboard.type('demo12345');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'File a case' }).waitFor();
      await shows(page.locator('.account'), 'Intake clerk');

      await page.getByRole('button', { name: 'File the case', exact: true }).click();
      await shows(field(page, 'Title'), 'Required');
      expect(await page.evaluate('document.activeElement.name')).toBe('kind');
      await h.screenshot(page, 'language-english');

      await page.getByRole('button', { name: '切换到中文' }).click();
      await shows(field(page, '标题'), '必填');
    },
    SLOW,
  );

  it(
    'shows the fields the server refuses beside them, in the chosen language, and files nothing',
    async () => {
      const page = await h.loginAs('hd-dg-1.clerk');
      const title = '路灯损坏（服务器校验）';
      await fillGrievance(page, title);
      // A client whose checks disagree with the server's: the title goes out longer than the API allows.
      await page.route('**/api/v1/cases', (route) =>
        route.continue({ postData: JSON.stringify({ ...route.request().postDataJSON(), title: '长'.repeat(201) }) }),
      );
      await page.getByRole('button', { name: '登记', exact: true }).click();
      await shows(page.getByRole('alert'), '提交的内容有误');
      await shows(field(page, '标题'), '最多 200 个字');
      expect(await page.getByLabel('标题').getAttribute('aria-invalid')).toBe('true');
      await page.getByRole('button', { name: 'Switch to English' }).click();
      await shows(field(page, 'Title'), 'At most 200 characters');
      await page.getByRole('button', { name: '切换到中文' }).click();
      const list = await api.get('hd-dg-1.clerk', `/api/v1/cases?q=${encodeURIComponent('长长长')}`);
      expect(list.body.total).toBe(0);

      await page.unroute('**/api/v1/cases');
      await page.getByRole('button', { name: '登记', exact: true }).click();
      await page.getByText(/已登记，案件编号/).waitFor();
    },
    SLOW,
  );

  it(
    'offers the coordinators who may take the case by name, names the assignee, and shows a refused one beside the field',
    async () => {
      const filed = await api.file();
      await api.must('hd-dg-1.coordinator', filed.id, 'accept');
      const page = await h.loginAs('hd-dg.coordinator');
      await page.goto(`${h.base}/cases/${filed.id}`);
      await page.locator('.action-buttons').getByRole('button', { name: '指派', exact: true }).click();
      const form = page.getByRole('form', { name: '指派' });
      const assignee = form.getByLabel('承办人');
      await assignee.locator('option', { hasText: '东关街道联络员' }).waitFor({ state: 'attached' });
      const offered = await assignee.locator('option:not([value=""])').allTextContents();
      expect(offered).toEqual(['东关社区联络员 (东关社区)', '东关街道联络员 (东关街道)']);

      // A client whose list disagrees with the server: the clerk goes out as the assignee.
      const clerk = await api.userId('hd-dg-1.clerk');
      await page.route(`**/api/v1/cases/${filed.id}/assign`, (route) => route.continue({ postData: JSON.stringify({ ...route.request().postDataJSON(), assigneeId: clerk }) }));
      await assignee.selectOption({ label: '东关社区联络员 (东关社区)' });
      await form.getByRole('button', { name: '指派', exact: true }).click();
      await shows(field(page, '承办人'), '该用户不是协调员，只有协调员可以承办案件');
      expect((await api.detail('hd-dg-1.coordinator', filed.id)).assigneeId).toBeNull();

      await page.unroute(`**/api/v1/cases/${filed.id}/assign`);
      await form.getByRole('button', { name: '指派', exact: true }).click();
      await shows(page.getByRole('status'), '已完成：指派');
      await shows(page.locator('.facts').first(), '东关社区联络员');
      await shows(page.locator('.timeline-CaseAssigned'), '东关社区联络员');
      // Who made the move is named too: the history names everyone its events name.
      await shows(page.locator('.timeline-CaseAssigned'), '东关街道联络员 · 协调员 · 东关街道');
      expect((await api.detail('hd-dg-1.coordinator', filed.id)).assigneeId).toBe(await api.userId('hd-dg-1.coordinator'));

      // The community's coordinator may hand it to no one but themselves: the only choice is made already.
      const community = await h.loginAs('hd-dg-1.coordinator');
      await community.goto(`${h.base}/cases/${filed.id}`);
      await community.locator('.action-buttons').getByRole('button', { name: '指派', exact: true }).click();
      const only = community.getByRole('form', { name: '指派' }).getByLabel('承办人');
      await only.locator('option', { hasText: '东关社区联络员' }).waitFor({ state: 'attached' });
      expect(await only.inputValue()).toBe(await api.userId('hd-dg-1.coordinator'));
    },
    SLOW,
  );

  it(
    'tells a coordinator on a stale page that someone changed the case, in both languages, and reloads it',
    async () => {
      const filed = await api.file({ title: '噪音扰民' });
      await api.must('hd-dg-1.coordinator', filed.id, 'accept');
      const page = await h.loginAs('hd-dg-1.coordinator');
      await page.goto(`${h.base}/cases/${filed.id}`);
      await page.getByRole('heading', { name: '噪音扰民' }).waitFor();

      await api.must('hd-dg-1.coordinator', filed.id, 'notes', { type: 'visit', text: '已上门走访（另一窗口）' });
      const addNote = async (text: string, action = '添加记录') => {
        await page.locator('.action-buttons').getByRole('button', { name: action, exact: true }).click();
        const form = page.getByRole('form', { name: action });
        await form.locator('select[name="type"]').selectOption('note');
        await form.locator('textarea[name="text"]').fill(text);
        await form.getByRole('button', { name: action, exact: true }).click();
      };
      await addNote('电话联系了物业');
      const conflict = page.getByTestId('revision-conflict');
      await shows(conflict, '有人修改了此案件，请重新加载');
      await shows(conflict, '第 2 版');
      expect(await page.locator('.entries').innerText()).not.toContain('已上门走访（另一窗口）');
      await h.screenshot(page, 'coordinator-stale-revision');
      await conflict.getByRole('button', { name: '重新加载' }).click();
      await shows(page.locator('.entries'), '已上门走访（另一窗口）');
      expect(await conflict.count()).toBe(0);
      await addNote('电话联系了物业');
      await shows(page.getByRole('status'), '已完成：添加记录');

      await page.getByRole('button', { name: 'Switch to English' }).click();
      await api.must('hd-dg-1.coordinator', filed.id, 'notes', { type: 'note', text: '再次回访' });
      await addNote('Called the management office', 'Add a note');
      await shows(conflict, 'Someone changed this case — reload');
      await conflict.getByRole('button', { name: 'Reload' }).click();
      await shows(page.locator('.entries'), '再次回访');
      const history = (await api.get('auditor', `/api/v1/cases/${filed.id}/history`)).body.events as {
        type: string;
        data: { text?: string };
      }[];
      expect(history.filter((event) => event.type === 'NoteAdded').map((event) => event.data.text)).toEqual([
        '已上门走访（另一窗口）',
        '电话联系了物业',
        '再次回访',
      ]);
    },
    SLOW,
  );

  it(
    'files one case when the answer to a filing is lost and the clerk submits again',
    async () => {
      const page = await h.loginAs('hd-dg-1.clerk');
      const title = '井盖缺失（重复提交）';
      await fillGrievance(page, title);
      const keys: string[] = [];
      page.on('request', (request: Request) => {
        if (request.method() === 'POST' && request.url().endsWith('/api/v1/cases')) keys.push(request.headers()['idempotency-key'] ?? '');
      });
      // The server files the case, but its answer never reaches the browser.
      let lost = false;
      await page.route('**/api/v1/cases', async (route) => {
        if (lost) return route.continue();
        lost = true;
        await route.fetch();
        await route.abort('connectionreset');
      });
      await page.getByRole('button', { name: '登记', exact: true }).click();
      await shows(page.getByRole('alert'), '无法连接服务器');
      await page.getByRole('button', { name: '登记', exact: true }).click();
      await page.getByText(/已登记，案件编号/).waitFor();

      expect(keys).toHaveLength(2);
      expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(keys[1]).toBe(keys[0]);
      await h.settle();
      const list = await api.get('hd-dg-1.clerk', `/api/v1/cases?q=${encodeURIComponent(title)}`);
      expect(list.body.total).toBe(1);
    },
    SLOW,
  );

  it(
    'fits a 390 px phone without sideways scrolling',
    async () => {
      const phone = { width: 390, height: 844 };
      const scrollWidth = (page: Page) => page.evaluate('document.documentElement.scrollWidth');
      const clerk = await h.loginAs('hd-dg-1.clerk', phone);
      await clerk.getByRole('heading', { name: '登记案件' }).waitFor();
      await clerk.getByLabel('类别').selectOption('dispute');
      await clerk.getByRole('button', { name: '添加当事人' }).click();
      expect(await scrollWidth(clerk)).toBeLessThanOrEqual(390);
      await h.screenshot(clerk, 'phone-clerk-intake-form');

      const filed = await api.file({ title: '一个很长的标题用来检查手机上的换行是否正常，'.repeat(4) });
      await api.must('hd-dg-1.coordinator', filed.id, 'accept');
      await api.must('hd-dg-1.coordinator', filed.id, 'notes', { type: 'mediation', text: '组织双方调解，初步达成一致意见。'.repeat(5) });
      await h.settle();
      const coordinator = await h.loginAs('hd-dg-1.coordinator', phone);
      await shows(coordinator.locator('.case-list'), '一个很长的标题');
      expect(await scrollWidth(coordinator)).toBeLessThanOrEqual(390);
      await h.screenshot(coordinator, 'phone-coordinator-inbox');
      await coordinator.goto(`${h.base}/cases/${filed.id}`);
      await coordinator.locator('.timeline').waitFor();
      await coordinator.locator('.action-buttons').getByRole('button', { name: '办结', exact: true }).click();
      expect(await scrollWidth(coordinator)).toBeLessThanOrEqual(390);
      await h.screenshot(coordinator, 'phone-coordinator-case');
    },
    SLOW,
  );

  it(
    'puts overdue cases first in the inbox and marks them',
    async () => {
      const late = await api.file({ title: '逾期未受理的案件' });
      h.t.advance(3 * 24 * HOUR); // past the one-working-day accept clock
      const fresh = await api.file({ title: '刚刚登记的案件' });
      await h.settle();
      const page = await h.loginAs('hd-dg-1.coordinator');
      const lateCard = page.locator('.case-card').filter({ hasText: '逾期未受理的案件' });
      await shows(lateCard.locator('.chip-overdue'), '已超时');
      const freshCard = page.locator('.case-card').filter({ hasText: '刚刚登记的案件' });
      expect(await freshCard.locator('.chip-overdue').count()).toBe(0);
      const overdue: boolean[] = [];
      for (const card of await page.locator('.case-card').all())
        overdue.push((await card.getAttribute('class'))!.includes('case-card-overdue'));
      expect(overdue).toContain(false);
      expect(overdue).toEqual([...overdue].sort((a, b) => Number(b) - Number(a)));
      await page.goto(`${h.base}/cases/${late.id}`);
      await shows(page.locator('.case-number-line'), '已超时');
      await shows(page.locator('.deadline-overdue'), '受理时限');
      expect(fresh.id).not.toBe(late.id);
    },
    SLOW,
  );

  it(
    'brings back the login page when the server no longer accepts the token',
    async () => {
      const page = await h.loginAs('hd-dg-1.coordinator');
      await page.getByRole('heading', { name: '待办案件' }).waitFor();
      h.t.advance(9 * HOUR); // tokens last 8 hours
      try {
        await page.getByRole('link', { name: '案件查询' }).click();
        await page.getByRole('heading', { name: '登录' }).waitFor();
        await shows(page.getByRole('status'), '登录已失效，请重新登录。');
        expect(await page.evaluate("sessionStorage.getItem('minyi.token')")).toBeNull();
      } finally {
        h.t.advance(-9 * HOUR);
      }
    },
    SLOW,
  );
  it(
    'lets an admin create an account, checked as the server checks it, and lists it; the account can log in',
    async () => {
      // An admin starts at the accounts.
      const page = await h.loginAs('admin');
      await page.getByRole('heading', { name: '用户管理' }).waitFor();
      expect(await page.getByRole('link', { name: '用户管理' }).getAttribute('aria-current')).toBe('page');
      await shows(page.locator('.users-table'), 'hd-dg-1.clerk');
      const form = page.getByRole('form', { name: '创建账号' });

      await form.getByRole('button', { name: '创建账号' }).click();
      await shows(field(page, '用户名'), '必填');
      await shows(page.locator('fieldset').filter({ hasText: '角色' }), '至少选择一个角色');

      // A username that exists: the server refuses it, beside the field.
      await form.getByLabel('用户名').fill('hd-dg-1.clerk');
      await form.getByLabel('姓名').fill('柳林村信息员');
      await form.getByLabel('初始密码').fill('a-good-password');
      await form.getByLabel('所在单位').selectOption({ label: '柳林村' });
      await form.getByLabel('信息员').check();
      await form.getByRole('button', { name: '创建账号' }).click();
      await shows(field(page, '用户名'), '这个用户名已被使用');

      await form.getByLabel('用户名').fill('hd-ll-1.clerk');
      await form.getByRole('button', { name: '创建账号' }).click();
      await shows(page.getByRole('status'), '已创建账号 hd-ll-1.clerk');
      await shows(page.locator('.users-table tr').filter({ hasText: 'hd-ll-1.clerk' }), '柳林村');
      const login = await h.t.http().post('/api/v1/auth/login').send({ username: 'hd-ll-1.clerk', password: 'a-good-password' });
      expect(login.body.user).toMatchObject({ displayName: '柳林村信息员', roles: ['clerk'], unitId: 'hd-ll-1' });
      await h.screenshot(page, 'admin-users');
    },
    SLOW,
  );

  it(
    'shows the users screen to admins only',
    async () => {
      const page = await h.loginAs('hd-dg-1.coordinator');
      expect(await page.getByRole('link', { name: '用户管理' }).count()).toBe(0);
      await page.goto(`${h.base}/users`);
      await page.getByRole('heading', { name: '没有这个页面' }).waitFor();
    },
    SLOW,
  );
});
