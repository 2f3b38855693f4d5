import { describe, expect, it } from '@jest/globals';
import { XMLParser } from 'fast-xml-parser';
import { formatOfUrl, isOpen311Url, open311Errors, splitFormat, toXml } from './open311-format.js';

describe('Open311 formats', () => {
  it('reads the format from the resource’s suffix', () => {
    expect(splitFormat('MY-2026-000001.xml')).toEqual({ name: 'MY-2026-000001', format: 'xml' });
    expect(splitFormat('risk.json')).toEqual({ name: 'risk', format: 'json' });
    expect(splitFormat('risk')).toBeNull();
    expect(splitFormat('.json')).toBeNull();
    expect(formatOfUrl('/open311/v2/requests.xml?status=open')).toBe('xml');
    expect(formatOfUrl('/open311/v2/requests')).toBe('json');
  });

  it('knows its own paths', () => {
    expect(['/open311', '/open311/v2/services.json', '/open311?x=1'].map(isOpen311Url)).toEqual([true, true, true]);
    expect(['/open3110', '/api/v1/open311/keys'].map(isOpen311Url)).toEqual([false, false]);
  });

  it('writes lists as a wrapper of items, nulls as empty elements, and escapes text', () => {
    const xml = toXml('service_requests', [{ service_request_id: 'MY-1', description: '<b>&</b>\u0001', account_id: null }]);
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<service_requests>')).toBe(true);
    expect(xml).toContain('&lt;b&gt;&amp;&lt;/b&gt;');
    expect(xml).not.toContain('\u0001');
    expect(new XMLParser({ parseTagValue: false }).parse(xml)).toMatchObject({ service_requests: { request: { service_request_id: 'MY-1', description: '<b>&</b>', account_id: '' } } });
    expect(toXml('service_definition', { service_code: 'risk', attributes: [{ values: [{ key: 'a', name: 'A' }] }] })).toContain('<attributes>\n    <attribute>\n      <values>\n        <value>');
    expect(toXml('services', [])).toContain('<services></services>');
  });

  it('lists one error per wrong field, else the message, with the HTTP status as the code', () => {
    expect(open311Errors({ statusCode: 400, error: 'Bad Request', message: 'invalid', details: [{ field: 'phone', message: 'bad' }, { field: 'lat', message: 'worse' }] })).toEqual([
      { code: 400, description: 'phone: bad' },
      { code: 400, description: 'lat: worse' },
    ]);
    expect(open311Errors({ statusCode: 404, error: 'Not Found', message: 'no service x' })).toEqual([{ code: 404, description: 'no service x' }]);
  });
});
