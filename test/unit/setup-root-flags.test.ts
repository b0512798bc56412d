import { describe, expect, it } from 'vitest';
import { setupRootFor } from '../../main/cli/setup';

// Which host a `vitrine setup …` command works on: its --root, the global --setup-root, or this one.
describe('setupRootFor', () => {
  it('either flag alone names the scratch root (made absolute); neither, or --setup-root /, is this host', () => {
    expect(setupRootFor('/tmp/r', undefined)).toBe('/tmp/r');
    expect(setupRootFor(undefined, '/tmp/r/')).toBe('/tmp/r');
    expect(setupRootFor(undefined, 'rel')).toBe(`${process.cwd()}/rel`);
    expect(setupRootFor(undefined, undefined)).toBeUndefined();
    expect(setupRootFor(undefined, '/')).toBeUndefined();
  });
  it('both naming the same folder is that folder', () => {
    expect(setupRootFor('/tmp/r/.', '/tmp/r')).toBe('/tmp/r');
  });
  it('both naming different hosts is refused, this host included', () => {
    expect(() => setupRootFor('/tmp/a', '/tmp/b')).toThrow('--root /tmp/a and --setup-root /tmp/b name different hosts; nothing was done.');
    expect(() => setupRootFor('/tmp/a', '/')).toThrow('--root /tmp/a and --setup-root / name different hosts');
  });
});
