import { expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { newEventId, type NewEvent } from '#event-store';
import { Api } from '../../api/test/support/api.js';
import { describeInBrowser, SLOW, useConsole, type ConsoleHarness } from './support/browser.js';

/** A case whose history is longer than one page of the API (500 events): the console reads every page. */
describeInBrowser('console long history')('the console: a case with more events than one history page', () => {
  let h: ConsoleHarness;
  useConsole((harness) => (h = harness));

  it(
    'shows the whole timeline of a case with 700 events, read page by page',
    async () => {
      const api = new Api(h.t);
      const filed = await api.file({ title: '记录很长的案件' });
      const accepted = await api.must('hd-dg-1.coordinator', filed.id, 'accept', {});
      const metadata = { actorId: await api.userId('hd-dg-1.coordinator'), actorRole: 'coordinator', unitId: 'hd-dg-1', at: h.t.now().toISOString(), correlationId: randomUUID(), causationId: null };
      const notes: NewEvent[] = Array.from({ length: 698 }, (_, i) => ({
        id: newEventId(),
        type: 'NoteAdded',
        schemaVersion: 1,
        data: { noteType: 'contact', text: `第${i + 1}次电话联系` },
        metadata,
      }));
      await h.t.engine.store.appendToStream(`case-${filed.id}`, notes, { expectedRevision: accepted.revision });
      await h.settle();

      const page = await h.loginAs('hd-dg-1.coordinator');
      await page.goto(`${h.base}/cases/${filed.id}`);
      // The filing is on the first page of the history, the last note on the second.
      const timeline = page.locator('.timeline');
      await timeline.filter({ hasText: '第698次电话联系' }).first().waitFor();
      const text = await timeline.innerText();
      expect(text).toContain('第1次电话联系');
      expect(text).toContain('第499次电话联系');
      expect(text).toContain('第500次电话联系');
    },
    SLOW,
  );
});
