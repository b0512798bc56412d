import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { expectGolden, isCi, UPDATE_GOLDEN } from '../support/golden';

// The golden helper itself, on a scratch folder: a golden that is missing
// (deleted, or never committed) fails, and CI never writes one.
const dir = mkdtempSync(join(tmpdir(), 'vitrine-golden-'));
let n = 0;
const fresh = (): string => join(dir, `case-${++n}`, 'out.txt');
afterEach(() => vi.unstubAllEnvs());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the golden helper', () => {
  it('fails under CI=true when the golden was deleted, and writes nothing', () => {
    const file = fresh();
    expectGolden(file, 'text\n', { [UPDATE_GOLDEN]: '1' });
    expectGolden(file, 'text\n', { CI: 'true' }); // there: it passes
    unlinkSync(file);
    expect(() => expectGolden(file, 'text\n', { CI: 'true' })).toThrow(/out\.txt is missing: CI never writes one/);
    expect(existsSync(file)).toBe(false);
    expect(() => expectGolden(file, 'text\n', { CI: '1' })).toThrow(/missing/);
    expect(existsSync(file)).toBe(false);
  });

  it('reads CI and the update switch from the environment by default', () => {
    const file = fresh();
    vi.stubEnv('CI', 'true');
    vi.stubEnv(UPDATE_GOLDEN, '');
    expect(() => expectGolden(file, 'text\n')).toThrow(/missing/);
    expect(existsSync(file)).toBe(false);
    vi.stubEnv(UPDATE_GOLDEN, '1');
    expectGolden(file, 'text\n');
    expect(readFileSync(file, 'utf8')).toBe('text\n');
  });

  it('outside CI, still fails on a missing golden, but writes it for the next run', () => {
    const file = fresh();
    expect(() => expectGolden(file, 'first\n', {})).toThrow(/was missing: written now/);
    expect(readFileSync(file, 'utf8')).toBe('first\n');
    expectGolden(file, 'first\n', {});
    expect(() => expectGolden(file, 'second\n', {})).toThrow();
  });

  it('fails on a difference, in CI or not, without touching the golden', () => {
    const file = fresh();
    expectGolden(file, 'golden\n', { [UPDATE_GOLDEN]: '1' });
    for (const env of [{}, { CI: 'true' }]) {
      expect(() => expectGolden(file, 'changed\n', env)).toThrow(/regenerate with VITRINE_UPDATE_GOLDEN=1/);
      expect(readFileSync(file, 'utf8')).toBe('golden\n');
    }
  });

  it('VITRINE_UPDATE_GOLDEN=1 writes a missing golden and rewrites a stale one, even in CI', () => {
    const file = fresh();
    expectGolden(file, 'one\n', { [UPDATE_GOLDEN]: '1', CI: 'true' });
    writeFileSync(file, 'stale\n');
    expectGolden(file, 'two\n', { [UPDATE_GOLDEN]: '1' });
    expect(readFileSync(file, 'utf8')).toBe('two\n');
  });

  it('reads CI like test/run.mjs', () => {
    expect([isCi({ CI: 'true' }), isCi({ CI: 'TRUE' }), isCi({ CI: '1' })]).toEqual([true, true, true]);
    expect([isCi({}), isCi({ CI: '' }), isCi({ CI: 'false' }), isCi({ CI: '0' })]).toEqual([false, false, false, false]);
  });
});

describe('every golden file goes through the helper', () => {
  const testRoot = join(import.meta.dirname, '..');
  const files = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((e) => {
      const path = join(folder, e.name);
      if (e.isDirectory()) return e.name === 'fixtures' ? [] : files(path);
      return /\.(ts|mjs)$/.test(e.name) ? [path] : [];
    });

  it('no test reads VITRINE_UPDATE_GOLDEN or decides on its own to write a golden', () => {
    const own = [join(testRoot, 'support', 'golden.ts'), join(testRoot, 'unit', 'golden.test.ts')];
    const offenders = files(testRoot)
      .filter((f) => !own.includes(f))
      .filter((f) => /process\.env\[?['".]?VITRINE_UPDATE_GOLDEN/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(testRoot, f));
    expect(offenders).toEqual([]);
  });

  it('the golden tests use it', () => {
    for (const name of ['xml-golden.test.ts', 'setup-planner.test.ts', 'lookingglass.test.ts']) {
      expect(readFileSync(join(testRoot, 'unit', name), 'utf8'), name).toContain("from '../support/golden'");
    }
  });
});
