import { describe, expect, it } from '@jest/globals';
import { freePort } from '#database';
import { describeEventStoreContract } from '../contract/event-store.contract.js';
import { EsdbEventStore } from './esdb-event-store.js';

// The contract runs against a real EventStoreDB / KurrentDB when EVENTSTORE_URL is set (a server
// only this suite writes to: it counts the whole log), and must run when REQUIRE_EVENTSTORE=1.
// Otherwise it is skipped, saying so: no server can be started on the development machines.
const url = process.env.EVENTSTORE_URL;
if (!url && process.env.REQUIRE_EVENTSTORE === '1') throw new Error('REQUIRE_EVENTSTORE=1 but EVENTSTORE_URL is not set: the EventStoreDB contract suite cannot run');
if (!url) console.warn('[test] EVENTSTORE_URL not set: the EventStoreDB / KurrentDB contract suite is skipped (set it, e.g. esdb://127.0.0.1:2113?tls=false, to run it)');

(url ? describe : describe.skip)('EsdbEventStore', () => {
  describeEventStoreContract('EventStoreDB', async () => {
    const store = new EsdbEventStore({ url: url! });
    const otherStore = new EsdbEventStore({ url: url! });
    return {
      store,
      otherStore,
      idsUniqueAcrossStreams: false,
      close: async () => {
        await store.close();
        await otherStore.close();
      },
    };
  });
});

describe('EsdbEventStore without a server', () => {
  it('says plainly that the server of EVENTSTORE_URL cannot be read', async () => {
    // A port that was free a moment ago: nothing answers there.
    const port = await freePort();
    const store = new EsdbEventStore({ url: `kurrentdb://127.0.0.1:${port}?tls=false` });
    try {
      await expect(store.assertReachable()).rejects.toThrow(/^the EventStoreDB \/ KurrentDB server of EVENTSTORE_URL cannot be read: .*UNAVAILABLE/);
    } finally {
      await store.close();
    }
  });
});
