import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './config.js';

describe('EVENTSTORE_URL', () => {
  it('unset or blank: the events stay in PostgreSQL', () => {
    expect(loadConfig({}).eventStoreUrl).toBeUndefined();
    expect(loadConfig({ EVENTSTORE_URL: '  ' }).eventStoreUrl).toBeUndefined();
  });

  it('takes EventStoreDB and KurrentDB connection strings, several hosts included', () => {
    for (const url of ['esdb://127.0.0.1:2113?tls=false', 'esdb+discover://cluster:2113', 'kurrentdb://admin:changeit@node1:2113,node2:2113,node3:2113', 'kurrentdb+discover://cluster:2113']) {
      expect(loadConfig({ EVENTSTORE_URL: url }).eventStoreUrl).toBe(url);
    }
  });

  it('stops start-up on another scheme, naming the variable and not the password', () => {
    const load = () => loadConfig({ EVENTSTORE_URL: 'postgres://u:secret@db:5432/events' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow('configuration EVENTSTORE_URL: an EventStoreDB / KurrentDB URL starts with esdb://');
    expect(load).not.toThrow('secret');
  });
});
