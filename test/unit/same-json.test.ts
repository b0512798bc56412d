import { describe, expect, it } from 'vitest';
import { sameJson } from '../../shared/same-json';

describe('sameJson', () => {
  const domain = { name: 'win11', uuid: '77126c88-bf9c-4858-9062-b2d37bd4894c', state: 'running', id: 3, persistent: true, autostart: false };

  it('says equal what JSON says equal, key order aside', () => {
    expect(sameJson(domain, JSON.parse(JSON.stringify(domain)))).toBe(true);
    expect(sameJson({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 })).toBe(true);
    expect(sameJson(null, null)).toBe(true);
    expect(sameJson({ a: 1, gone: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, gone: undefined })).toBe(true);
  });

  it('tells apart any difference of value, type, key or length', () => {
    expect(sameJson(domain, { ...domain, state: 'shut-off' })).toBe(false);
    expect(sameJson(domain, { ...domain, id: null })).toBe(false);
    expect(sameJson({ a: 1 }, { a: '1' })).toBe(false);
    expect(sameJson({ a: 1 }, { b: 1 })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(sameJson([1, 2], [1, 2, 3])).toBe(false);
    expect(sameJson([1, [2]], [1, [3]])).toBe(false);
    expect(sameJson([], {})).toBe(false);
    expect(sameJson({}, [])).toBe(false);
    expect(sameJson(null, {})).toBe(false);
    expect(sameJson({}, null)).toBe(false);
    expect(sameJson(null, undefined)).toBe(false);
    expect(sameJson({ a: null }, { a: undefined })).toBe(false);
    expect(sameJson({ error: { kind: 'connect', msg: { key: 'a', params: { n: 1 } } } }, { error: { kind: 'connect', msg: { key: 'a', params: { n: 2 } } } })).toBe(false);
  });
});
