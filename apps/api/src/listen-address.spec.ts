import { describe, expect, it } from '@jest/globals';
import { listenAddress } from './listen-address.js';

describe('where the server listens while demo passwords are published', () => {
  it('listens where HOST says, or on every interface, when no account has the published password', () => {
    expect(listenAddress(undefined, [])).toBe('0.0.0.0');
    expect(listenAddress('10.0.0.5', [])).toBe('10.0.0.5');
  });

  it('falls back to 127.0.0.1 when HOST is unset and a demo password is still published', () => {
    expect(listenAddress(undefined, ['admin'])).toBe('127.0.0.1');
  });

  it('keeps a loopback HOST', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1']) expect(listenAddress(host, ['admin'])).toBe(host);
  });

  it('refuses a HOST other machines can reach, naming the accounts and what to do', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'minyi.example.org']) {
      expect(() => listenAddress(host, ['admin', 'auditor'])).toThrow(/configuration HOST: .*2 account\(s\) still have the published demo password \(admin, auditor\).*me\/password.*MINYI_DEMO_PASSWORD/);
    }
  });
});
