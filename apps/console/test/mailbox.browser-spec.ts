import { beforeAll, expect, it } from '@jest/globals';
import { labelsFor, standalone, type Language } from '#domain';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { Api } from '../../api/test/support/api.js';
import { describeInBrowser, SLOW, useConsole, type ConsoleHarness } from './support/browser.js';

const HOUR = 3_600_000;
const PHONE = { width: 390, height: 844 };
const DESK = { width: 1280, height: 900 };

/** What the pages say, in each language, where the tests look for it. */
const WORDS = {
  'zh-CN': {
    heading: '献一策',
    search: '输入社区、村或网格的名称',
    submit: '提交',
    receipt: '已收到您的反映',
    warning: '请记下编号和查询码',
    track: '查询办理进度',
    lookUp: '查询',
    notFound: '编号或查询码不对，请核对后再试。',
    check: '核验记录',
    intact: '记录完好',
    tooMany: '提交次数太多了',
    retry: /请在 .+（约 \d+ 分钟后）再试/,
    tooLarge: '文件太大了',
    badType: '有文件的类型不被接受',
  },
  en: {
    heading: 'Share your views',
    search: 'Type the name of your community, village or grid',
    submit: 'Send',
    receipt: 'We have received your report',
    warning: 'Write down the number and the access code',
    track: 'Track your case',
    lookUp: 'Look up',
    notFound: 'The number or access code was not recognised. Please check them and try again.',
    check: 'Check the record',
    intact: 'The record is intact',
    tooMany: 'Too many reports from here',
    retry: /Please try again after .+ \(in about \d+ min\)/,
    tooLarge: 'A file is too large',
    badType: 'A file is of a type not accepted',
  },
} as const;

/** A small JPEG photo, made for the test. */
async function photo(): Promise<Buffer> {
  return sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 200, g: 90, b: 40 } } })
    .jpeg()
    .toBuffer();
}

interface Filed {
  readonly number: string;
  readonly accessCode: string;
  readonly receipt: { readonly hash: string };
}

/** Nothing wider than the screen: no sideways scrolling on a phone. */
async function fitsTheScreen(page: Page): Promise<void> {
  const widths = (await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as [number, number];
  expect(widths[0]).toBeLessThanOrEqual(widths[1]);
}

describeInBrowser('mailbox')("the resident's mailbox and tracking pages, and a case's attachments", () => {
  let h: ConsoleHarness;
  let api: Api;
  let jpeg: Buffer;
  useConsole((harness) => (h = harness));
  beforeAll(async () => {
    api = new Api(h.t);
    jpeg = await photo();
  });

  /** A fresh hour of the app's clock: the filing limit (5 an hour per address) starts over. */
  const nextHour = () => h.t.advance(HOUR + 1000);

  /** Opens a public page in `language` on a fresh tab, noting every request that carries a staff token. */
  async function open(path: string, language: Language, viewport = DESK): Promise<{ page: Page; tokens: string[] }> {
    const page = await h.page(viewport);
    const tokens: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/v1/public/') && request.headers().authorization) tokens.push(request.url());
    });
    await page.goto(`${h.base}${path}`);
    await page.locator('.public-header').waitFor();
    if (language === 'en') await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    return { page, tokens };
  }

  async function fileAsResident(): Promise<Filed> {
    nextHour();
    const response = await h.t
      .http()
      .post('/api/v1/public/cases')
      .send({ kind: 'grievance', title: '楼道灯不亮', description: '3 号楼 2 单元楼道灯坏了半个月。', unitId: 'hd-dg-1', filer: { phone: '13698765432', anonymous: false } });
    expect(response.status).toBe(201);
    await h.settle();
    return response.body as Filed;
  }

  async function caseIdOf(number: string): Promise<string> {
    const { rows } = await h.t.engine.pool.query<{ id: string }>('SELECT id FROM case_view WHERE number = $1', [number]);
    return rows[0]!.id;
  }

  for (const language of ['zh-CN', 'en'] as const) {
    for (const viewport of [PHONE, DESK]) {
      it(
        `files with a photo, shows the number and code once, and tracks with them (${language}, ${viewport.width} px)`,
        async () => {
          nextHour();
          const words = WORDS[language];
          const { page, tokens } = await open('/mailbox', language, viewport);
          await page.getByRole('heading', { name: words.heading }).waitFor();
          expect(await page.getAttribute('html', 'lang')).toBe(language);
          // The resident's pages have no staff header or navigation.
          expect(await page.locator('.app-header, .app-nav').count()).toBe(0);

          // The unit: by typing on a phone, level by level on a desk.
          if (viewport === PHONE) {
            await page.getByLabel(words.search).fill('东关');
            await page.locator('.unit-result', { hasText: '东关社区第二网格' }).click();
          } else {
            await page.locator('select[name="unit-level-county"]').selectOption('河东区');
            await page.locator('select[name="unit-level-town"]').selectOption('东关街道');
            await page.locator('select[name="unit-level-community"]').selectOption('东关社区');
            await page.locator('select[name="unit-level-grid"]').selectOption('东关社区第二网格');
          }
          await page.getByTestId('unit-chosen').filter({ hasText: '东关社区第二网格' }).waitFor();

          const title = `路灯坏了（${language}，${viewport.width}）`;
          await page.locator('select[name="kind"]').selectOption('grievance');
          await page.locator('input[name="title"]').fill(title);
          await page.locator('textarea[name="description"]').fill('东关小区 3 号楼前的路灯坏了一个星期，晚上出行不便。');
          await page.locator('input[name="filer.phone"]').fill('13698765432');
          await page.locator('input[name="filer.anonymous"]').check();
          await page.locator('input[name="files"]').setInputFiles({ name: 'road-lamp.jpg', mimeType: 'image/jpeg', buffer: jpeg });
          const preview = page.locator('.file-preview img');
          await preview.waitFor();
          expect(await preview.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
          await fitsTheScreen(page);
          await h.screenshot(page, `mailbox-${language}-${viewport.width}`);

          await page.getByRole('button', { name: words.submit, exact: true }).click();
          const receipt = page.getByTestId('receipt');
          await receipt.getByRole('heading', { name: words.receipt }).waitFor();
          await receipt.getByText(words.warning).first().waitFor();
          const number = (await receipt.locator('.receipt-value-large .receipt-text').nth(0).textContent())!;
          const code = (await receipt.locator('.receipt-value-large .receipt-text').nth(1).textContent())!;
          expect(number).toMatch(/^MY-\d{4}-\d{6}$/);
          expect(code.length).toBeGreaterThanOrEqual(8);
          expect(await page.getByTestId('qr-code').locator('path').getAttribute('d')).toMatch(/^M\d+ \d+h1v1h-1z/);
          await fitsTheScreen(page);
          await h.screenshot(page, `receipt-${language}-${viewport.width}`);

          // The receipt checks out (once the filing's record is in the read model; the page retries a moment meanwhile).
          await h.settle();
          await receipt.getByRole('button', { name: words.check }).click();
          await page.getByTestId('receipt-result').filter({ hasText: words.intact }).waitFor();

          // Filed where chosen, on the web channel, anonymous, with the photo as an attachment.
          await h.settle();
          const caseId = await caseIdOf(number);
          const filed = await api.detail('hd-dg-1.coordinator', caseId);
          expect(filed).toMatchObject({ title, unitId: 'hd-dg-1-g2', channel: 'web', publicFiling: true, filer: { anonymous: true } });
          expect(filed.attachments).toEqual([expect.objectContaining({ mediaType: 'image/jpeg', name: 'road-lamp.jpg' })]);

          // Tracking with the code from the receipt's link.
          await page.goto(`${h.base}/track?number=${encodeURIComponent(number)}&code=${encodeURIComponent(code)}`);
          const tracked = page.getByTestId('track-case');
          await tracked.waitFor();
          await tracked.getByText(title).waitFor();
          await tracked.getByTestId('track-status').filter({ hasText: standalone(labelsFor(language).status.filed) }).waitFor();
          await fitsTheScreen(page);
          await h.screenshot(page, `track-${language}-${viewport.width}`);

          // A wrong code says the pair was not recognised, never which half.
          await page.locator('input[name="code"]').fill('WRONGCODE99');
          await page.getByRole('button', { name: words.lookUp, exact: true }).click();
          await page.getByRole('alert').filter({ hasText: words.notFound }).waitFor();
          expect(await page.getByTestId('track-case').count()).toBe(0);

          expect(tokens).toEqual([]);
        },
        SLOW * 2,
      );
    }
  }

  it(
    'lets the resident rate the answer once staff resolved the case, and closes it when satisfied',
    async () => {
      const filed = await fileAsResident();
      const id = await caseIdOf(filed.number);
      await api.must('hd-dg-1.coordinator', id, 'accept');
      await api.must('hd-dg-1.coordinator', id, 'resolve', { outcome: 'resolved', summary: '已更换楼道灯，经现场查看照明正常。' });
      await h.settle();

      const { page } = await open(`/track?number=${filed.number}&code=${filed.accessCode}`, 'zh-CN', PHONE);
      const tracked = page.getByTestId('track-case');
      await tracked.getByTestId('track-resolution').filter({ hasText: '已更换楼道灯' }).waitFor();
      // Nothing chosen: the form says so beside the choices.
      await page.getByRole('button', { name: '提交评价' }).click();
      await page.locator('.feedback-form .field-error', { hasText: '必填' }).waitFor();
      await page.getByLabel('基本满意').check();
      await page.getByLabel('您的意见').fill('修得很快，谢谢。');
      await page.getByRole('button', { name: '提交评价' }).click();
      await page.getByRole('status').filter({ hasText: '感谢您的评价' }).waitFor();
      await tracked.getByTestId('track-status').filter({ hasText: standalone(labelsFor('zh-CN').status.closed) }).waitFor();
      expect(await page.locator('.feedback-form').count()).toBe(0);
      await h.screenshot(page, 'track-rated');

      const detail = await api.detail('hd-dg-1.coordinator', id);
      expect(detail).toMatchObject({ status: 'closed' });
      expect(detail.feedback).toEqual([expect.objectContaining({ satisfaction: 'basically_satisfied', comment: '修得很快，谢谢。', selfRated: true })]);
    },
    SLOW,
  );

  it(
    'opens without logging in even when a staff user is logged in in the same tab, and never sends the staff token',
    async () => {
      const page = await h.loginAs('hd-dg-1.clerk');
      const tokens: string[] = [];
      page.on('request', (request) => {
        if (request.url().includes('/api/v1/public/') && request.headers().authorization) tokens.push(request.url());
      });
      await page.goto(`${h.base}/mailbox`);
      await page.getByRole('heading', { name: '献一策' }).waitFor();
      expect(await page.locator('.app-header').count()).toBe(0);
      await page.locator('select[name="kind"] option[value="grievance"]').waitFor({ state: 'attached' });
      await page.getByRole('link', { name: '查询进度' }).click();
      await page.getByRole('heading', { name: '查询办理进度' }).waitFor();
      expect(tokens).toEqual([]);
      // The staff session is still there for the console.
      await page.goto(`${h.base}/inbox`);
      await page.locator('.account-name').waitFor();
    },
    SLOW,
  );

  it(
    'shows the fields the server refuses beside them, and says when a refused resident may try again',
    async () => {
      nextHour();
      const { page } = await open('/mailbox', 'zh-CN', PHONE);
      await page.getByLabel(WORDS['zh-CN'].search).fill('湖滨');
      await page.locator('.unit-result', { hasText: '湖滨社区' }).first().click();
      await page.locator('select[name="kind"]').selectOption('suggestion');
      await page.locator('input[name="title"]').fill('建议增设休息座椅');
      await page.locator('textarea[name="description"]').fill('湖滨公园步道旁没有座椅，老人走累了没处歇脚。');

      // Nothing sent while the form's own checks fail.
      await page.locator('input[name="filer.phone"]').fill('电话');
      await page.getByRole('button', { name: '提交', exact: true }).click();
      await page.locator('.field', { hasText: '手机或电话' }).locator('.field-error').waitFor();
      await page.locator('input[name="filer.phone"]').fill('');

      // A client whose checks disagree with the server's: the server's word shows beside the field.
      await page.route('**/api/v1/public/cases', (route) => {
        const body = route.request().postDataJSON() as Record<string, unknown>;
        return route.continue({ postData: JSON.stringify({ ...body, title: '长'.repeat(201) }) });
      });
      await page.getByRole('button', { name: '提交', exact: true }).click();
      await page.locator('.field', { hasText: '标题' }).locator('.field-error', { hasText: '最多 200 个字' }).waitFor();
      expect(await page.locator('input[name="title"]').getAttribute('aria-invalid')).toBe('true');
      await page.unroute('**/api/v1/public/cases');

      // Too many filings: when to try again, from Retry-After. Too large, and not accepted.
      for (const [status, text, headers] of [
        [429, WORDS['zh-CN'].tooMany, { 'Retry-After': '1800' }],
        [413, WORDS['zh-CN'].tooLarge, {}],
        [415, WORDS['zh-CN'].badType, {}],
      ] as const) {
        await page.route('**/api/v1/public/cases', (route) =>
          route.fulfill({
            status,
            headers: { 'Content-Type': 'application/json', ...headers },
            body: JSON.stringify({ statusCode: status, error: 'x', message: 'refused', details: status === 429 ? undefined : [{ field: 'files', message: 'refused in English' }] }),
          }),
        );
        await page.getByRole('button', { name: '提交', exact: true }).click();
        await page.getByRole('alert').filter({ hasText: text }).waitFor();
        // Said in the reader's words only, not the server's beside a field.
        expect(await page.locator('.field-error').count()).toBe(0);
        if (status === 429) await page.getByTestId('retry-after').filter({ hasText: WORDS['zh-CN'].retry }).waitFor();
        await page.unroute('**/api/v1/public/cases');
      }

      // A file of a type not accepted is refused before sending; five files at most; a picked one can be removed.
      await page.locator('input[name="files"]').setInputFiles({ name: 'virus.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
      await page.getByRole('alert').filter({ hasText: 'virus.exe：不支持这种文件' }).waitFor();
      const six = Array.from({ length: 6 }, (_, i) => ({ name: `photo-${i + 1}.jpg`, mimeType: 'image/jpeg', buffer: jpeg }));
      await page.locator('input[name="files"]').setInputFiles(six);
      await page.getByRole('alert').filter({ hasText: 'photo-6.jpg 没有添加' }).waitFor();
      expect(await page.locator('.file-preview').count()).toBe(5);
      await page.getByRole('button', { name: '删除 photo-3.jpg' }).click();
      expect(await page.locator('.file-preview').count()).toBe(4);
      await h.screenshot(page, 'mailbox-refused');
    },
    SLOW,
  );

  it(
    'files once when the answer is lost and the resident sends again: the same Idempotency-Key, the same number',
    async () => {
      nextHour();
      const { page } = await open('/mailbox', 'zh-CN', PHONE);
      await page.locator('select[name="unit-level-county"]').selectOption('河西区');
      await page.locator('select[name="unit-level-town"]').selectOption('桃园镇');
      await page.locator('select[name="unit-level-community"]').selectOption('桃园村');
      await page.getByTestId('unit-chosen').filter({ hasText: '桃园村' }).waitFor();
      const title = '村口水渠堵塞（重发）';
      await page.locator('select[name="kind"]').selectOption('risk');
      await page.locator('input[name="title"]').fill(title);
      await page.locator('textarea[name="description"]').fill('村口水渠被垃圾堵住，下雨容易漫到路上。');

      const keys: string[] = [];
      // The first filing reaches the server, but its answer never reaches the page.
      await page.route('**/api/v1/public/cases', async (route) => {
        keys.push(route.request().headers()['idempotency-key'] ?? '');
        await route.fetch();
        await route.abort('connectionreset');
      });
      await page.getByRole('button', { name: '提交', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: '无法连接服务器' }).waitFor();
      await page.unroute('**/api/v1/public/cases');
      page.on('request', (request) => {
        if (request.url().endsWith('/api/v1/public/cases')) keys.push(request.headers()['idempotency-key'] ?? '');
      });
      await page.getByRole('button', { name: '提交', exact: true }).click();
      await page.getByTestId('receipt').waitFor();

      expect(keys).toHaveLength(2);
      expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(keys[1]).toBe(keys[0]);
      await h.settle();
      const { rows } = await h.t.engine.pool.query<{ number: string }>('SELECT number FROM case_view WHERE title = $1', [title]);
      expect(rows).toHaveLength(1);
      expect(await page.locator('.receipt-value-large .receipt-text').first().textContent()).toBe(rows[0]!.number);
    },
    SLOW,
  );

  it(
    'is used with the keyboard alone: a unit found by typing is chosen with Enter, and the path steps are selects',
    async () => {
      const { page } = await open('/mailbox', 'zh-CN', PHONE);
      await page.getByLabel(WORDS['zh-CN'].search).focus();
      await page.keyboard.type('湖滨');
      // Enter in the search box sends nothing.
      await page.keyboard.press('Enter');
      expect(await page.locator('.notice-error').count()).toBe(0);
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement.className')).toContain('unit-result');
      await page.keyboard.press('Enter');
      await page.getByTestId('unit-chosen').filter({ hasText: '湖滨社区' }).waitFor();
      expect(await page.evaluate('document.activeElement.name')).toBe('unit-search');
      // The path follows what was chosen, down to the community.
      expect(await page.locator('select[name="unit-level-town"]').inputValue()).toBe('西湖街道');
      expect(await page.locator('select[name="unit-level-community"]').inputValue()).toBe('湖滨社区');
      // The file picker is reached with Tab: the hidden input takes the focus, its button-like label shows it.
      await page.locator('input[name="files"]').focus();
      expect(await page.evaluate('document.activeElement.name')).toBe('files');
    },
    SLOW,
  );

  it(
    'checks a receipt code on the tracking page, and a wrong number or code is not recognised',
    async () => {
      const filed = await fileAsResident();
      const { page } = await open(`/track?receipt=${filed.receipt.hash}`, 'en', PHONE);
      await page.getByRole('heading', { name: 'Track your case' }).waitFor();
      expect(await page.getByRole('textbox', { name: 'Receipt code', exact: true }).inputValue()).toBe(filed.receipt.hash);
      await page.getByRole('button', { name: 'Check', exact: true }).click();
      await page.getByTestId('receipt-result').filter({ hasText: `The record is intact: number ${filed.number}` }).waitFor();

      await page.getByLabel('Number').fill('MY-2000-999999');
      await page.getByLabel('Access code').fill(filed.accessCode);
      await page.getByRole('button', { name: 'Look up', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: WORDS.en.notFound }).waitFor();
      await page.getByLabel('Number').fill(filed.number);
      await page.getByRole('button', { name: 'Look up', exact: true }).click();
      await page.getByTestId('track-case').getByText('楼道灯不亮').waitFor();

      // Too many wrong codes from this address: when to try again.
      await page.route('**/api/v1/public/cases/**', (route) =>
        route.fulfill({ status: 429, headers: { 'Content-Type': 'application/json', 'Retry-After': '600' }, body: JSON.stringify({ statusCode: 429, error: 'Too Many Requests', message: 'x' }) }),
      );
      await page.getByRole('button', { name: 'Look up', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: 'Too many wrong attempts.' }).waitFor();
      await page.getByTestId('retry-after').filter({ hasText: WORDS.en.retry }).waitFor();
      expect(await page.getByTestId('track-case').count()).toBe(0);
    },
    SLOW,
  );

  it(
    'uploads a photo on the case page and shows its thumbnail in the panel and the timeline',
    async () => {
      const filed = await api.file({ kind: 'grievance', title: '井盖缺失' });
      await api.must('hd-dg-1.coordinator', filed.id, 'accept');
      const page = await h.loginAs('hd-dg-1.coordinator');
      await page.goto(`${h.base}/cases/${filed.id}`);
      const panel = page.getByTestId('attachments');
      await panel.getByText('暂无附件。').waitFor();

      // Nothing chosen: the form says so.
      await panel.getByRole('button', { name: '上传', exact: true }).click();
      await panel.locator('.field-error', { hasText: '请选择文件' }).waitFor();

      await panel.getByLabel('文件').setInputFiles({ name: 'manhole.jpg', mimeType: 'image/jpeg', buffer: jpeg });
      expect(await panel.getByLabel('附件类别').inputValue()).toBe('photo');
      await panel.getByLabel('说明').fill('现场照片');
      await panel.getByRole('button', { name: '上传', exact: true }).click();
      await panel.getByRole('status').filter({ hasText: '已上传：manhole.jpg' }).waitFor();

      const thumbnail = panel.getByTestId('attachment-thumbnail');
      await thumbnail.waitFor();
      expect(await thumbnail.getAttribute('src')).toMatch(/^data:image\//);
      expect(await thumbnail.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
      await panel.getByText('照片 ·').first().waitFor();
      await page.locator('.timeline-AttachmentAdded').getByTestId('attachment-thumbnail').waitFor();
      await h.screenshot(page, 'case-attachments');

      const detail = await api.detail('hd-dg-1.coordinator', filed.id);
      expect(detail.attachments).toEqual([expect.objectContaining({ name: 'manhole.jpg', kind: 'photo', description: '现场照片', mediaType: 'image/jpeg' })]);

      // A type the server does not accept is refused before sending, in words.
      await panel.getByLabel('文件').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
      await panel.getByRole('button', { name: '上传', exact: true }).click();
      await panel.locator('.field-error', { hasText: '不支持这种文件' }).waitFor();

      // The server's refusals: the case is full, the file is too large.
      await panel.getByLabel('文件').setInputFiles({ name: 'again.jpg', mimeType: 'image/jpeg', buffer: jpeg });
      for (const [status, code, text] of [
        [409, 'limit_reached', '附件已达上限'],
        [413, undefined, '文件超过 20 MB'],
      ] as const) {
        await page.route(`**/api/v1/cases/${filed.id}/attachments`, (route) =>
          route.fulfill({ status, contentType: 'application/json', body: JSON.stringify({ statusCode: status, error: 'x', message: 'x', ...(code ? { code } : {}) }) }),
        );
        await panel.getByRole('button', { name: '上传', exact: true }).click();
        await panel.getByRole('alert').filter({ hasText: text }).waitFor();
        await page.unroute(`**/api/v1/cases/${filed.id}/attachments`);
      }
    },
    SLOW,
  );

  it(
    'marks a case a resident filed online, and shows the files they sent with it',
    async () => {
      nextHour();
      const response = await h.t
        .http()
        .post('/api/v1/public/cases')
        .field('case', JSON.stringify({ kind: 'suggestion', title: '建议修缮凉亭', description: '小区凉亭顶棚漏雨。', unitId: 'hd-dg-1', filer: { anonymous: true } }))
        .attach('files', jpeg, { filename: 'pavilion.jpg', contentType: 'image/jpeg' });
      expect(response.status).toBe(201);
      await h.settle();
      const page = await h.loginAs('hd-dg-1.coordinator');
      await page.goto(`${h.base}/cases/${await caseIdOf(response.body.number)}`);
      await page.getByTestId('public-filing').filter({ hasText: '群众网上反映' }).waitFor();
      await page.getByTestId('attachments').getByTestId('attachment-thumbnail').waitFor();
      await page.getByRole('button', { name: 'Switch to English' }).click();
      await page.getByTestId('public-filing').filter({ hasText: 'filed by a resident online' }).waitFor();
    },
    SLOW,
  );
});
