import { describe, expect, it } from '@jest/globals';
import { clientRequestId } from './request-context.js';

describe('clientRequestId', () => {
  it('keeps 1-128 printable ASCII characters, the spaces around them dropped', () => {
    expect(clientRequestId('trace-42')).toBe('trace-42');
    expect(clientRequestId('  a b  ')).toBe('a b');
    expect(clientRequestId('y'.repeat(128))).toBe('y'.repeat(128));
  });

  it('ignores anything else: too long, empty, control or non-ASCII characters, a repeated header, none', () => {
    for (const header of ['y'.repeat(129), '', '   ', 'tab\there', 'line\nbreak', 'caf\u00e9', '追踪', ['a', 'b'], undefined]) {
      expect(clientRequestId(header)).toBeUndefined();
    }
  });
});
