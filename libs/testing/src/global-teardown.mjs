import { rm } from 'node:fs/promises';

export default async function globalTeardown() {
  const embedded = globalThis.__MINYI_TEST_PG__;
  if (!embedded) return;
  globalThis.__MINYI_TEST_PG__ = undefined;
  await embedded.server.stop();
  await rm(embedded.dataDir, { recursive: true, force: true });
}
