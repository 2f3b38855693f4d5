import { beforeAll, expect, it } from '@jest/globals';
import sharp from 'sharp';
import { Api } from '../../api/test/support/api.js';
import { describeInBrowser, SLOW, useConsole, type ConsoleHarness } from './support/browser.js';

describeInBrowser('attachments')("a case's attachments in the console", () => {
  let h: ConsoleHarness;
  let api: Api;
  useConsole((harness) => (h = harness));
  beforeAll(() => {
    api = new Api(h.t);
  });

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

      const jpeg = await sharp({ create: { width: 120, height: 80, channels: 3, background: { r: 30, g: 120, b: 200 } } })
        .jpeg()
        .toBuffer();
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
      h.t.advance(3_600_000 + 1000);
      const jpeg = await sharp({ create: { width: 60, height: 60, channels: 3, background: { r: 0, g: 160, b: 60 } } })
        .jpeg()
        .toBuffer();
      const response = await h.t
        .http()
        .post('/api/v1/public/cases')
        .field('case', JSON.stringify({ kind: 'suggestion', title: '建议修缮凉亭', description: '小区凉亭顶棚漏雨。', unitId: 'hd-dg-1', filer: { anonymous: true } }))
        .attach('files', jpeg, { filename: 'pavilion.jpg', contentType: 'image/jpeg' });
      expect(response.status).toBe(201);
      await h.settle();
      const { rows } = await h.t.engine.pool.query<{ id: string }>('SELECT id FROM case_view WHERE number = $1', [response.body.number]);
      const page = await h.loginAs('hd-dg-1.coordinator');
      await page.goto(`${h.base}/cases/${rows[0]!.id}`);
      await page.getByTestId('public-filing').filter({ hasText: '群众网上反映' }).waitFor();
      await page.getByTestId('attachments').getByTestId('attachment-thumbnail').waitFor();
      await page.getByRole('button', { name: 'Switch to English' }).click();
      await page.getByTestId('public-filing').filter({ hasText: 'filed by a resident online' }).waitFor();
    },
    SLOW,
  );
});
