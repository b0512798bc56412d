/// <reference lib="dom" />
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WIZARD_STEPS } from '../../shared/enums';
import { FAMILIES, writeFamilyRoot, type HostFamily } from '../support/etc-trees';
import { FIXTURE_HOSTS } from '../support/hosts';
import { connectServe, cookieFor } from '../support/serve-client';
import { repoRoot } from '../support/session-libvirt';
import { expect, hostRootArgs, sessionTest, type SessionUser } from './fixtures';

/**
 * Every page and every wizard step, on two fixture hosts, in English and in
 * French, in the light and the dark theme, at 1280×800 and 1920×1080:
 * - French: no visible text is English (a catalogue sentence that French
 *   words differently, or two words only English uses);
 * - no jargon: no "seed", no write-up numbers, no schema or field names, no
 *   NAME placeholder;
 * - axe: no WCAG 2 A/AA violation, in both themes;
 * - layout: nothing spills out of its box, no page scrolls sideways, no
 *   text squeezed into a sliver;
 * - a screenshot of each (test-results/e2e/tour/), compared with a golden
 *   for the first host at 1280×800 (test/e2e/tour.spec.ts-snapshots/).
 */

type Tree = { [key: string]: string | Tree };
const flatten = (tree: Tree, prefix = ''): [string, string][] =>
  Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [[`${prefix}${k}`, v] as [string, string]] : flatten(v, `${prefix}${k}.`)));
const catalogue = (lang: string) => new Map(flatten(JSON.parse(readFileSync(join(repoRoot, 'shared', 'i18n', `${lang}.json`), 'utf8')) as Tree));
const EN = catalogue('en');
const FR = catalogue('fr');

/** English sentences French says differently, as patterns (placeholders match anything). */
/** The words of a text, lower-cased; names of options and variables (ignore_msrs, DISPLAY, vfio-pci.ids) are not words. */
const words = (text: string): string[] =>
  (text.match(/[A-Za-zÀ-ÿ0-9'’_=.-]+/g) ?? [])
    .map((w) => w.replace(/^[.'’-]+|[.'’-]+$/g, ''))
    .filter((w) => /^[A-Za-zÀ-ÿ'’]+$/.test(w) && !(w.length > 1 && w === w.toUpperCase()))
    .map((w) => w.toLowerCase());
const FRENCH_WORDS = new Set([...FR.values()].flatMap(words));
/** Words of the English catalogue that French never uses ("the", "cannot", "with"…). */
const ENGLISH_ONLY = new Set([...EN.values()].flatMap(words).filter((w) => w.length > 2 && !FRENCH_WORDS.has(w)));
/** English sentences French says differently: their parts between placeholders that hold two English-only words. */
const ENGLISH_SENTENCES = [...EN]
  .filter(([k, v]) => FR.get(k) !== v)
  .flatMap(([, v]) => v.split(/\{\{\w+\}\}/).map((part) => part.trim()))
  .filter((part) => words(part).filter((w) => ENGLISH_ONLY.has(w)).length >= 2);
/** What a user should never read: write-up numbers, schema and field names, placeholders. */
const JARGON = [/\bseeds?\b/i, /write-up/i, /Invalid arguments/, /\b[a-z]{2,}[A-Z][a-z]+[A-Za-z]*\b/, /\bNAME\b/, /\{\{/, /\bundefined\b|\bnull\b|\[object /];
/** What a page says while it waits: the catalogue's "…ing" keys (host.checking, vm.cloning); not a button that opens a dialog ("Make a test copy…"). */
const LOADING = [...EN, ...FR].filter(([k, v]) => /ing$/.test(k) && v.endsWith('…') && !v.includes('{{')).map(([, v]) => v);

/** The visible text of the page, one entry per text node, without code (paths, XML, commands) and what is marked as another language. */
function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.replace(/\s+/g, ' ').trim();
      const parent = node.parentElement;
      if (!text || !parent || parent.closest('code, pre, kbd, samp, .mono, .diff, [translate="no"], script, style, option')) continue;
      const lang = parent.closest('[lang]')?.getAttribute('lang');
      if (lang && lang !== document.documentElement.lang) continue;
      const box = parent.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(parent).visibility === 'hidden') continue;
      out.push(text);
    }
    return out;
  });
}

/** Elements that spill out of their box, a page that scrolls sideways, text in a column narrower than it needs. */
function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const name = (el: Element): string => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} "${(el.textContent ?? '').trim().slice(0, 40)}"`;
    if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px for ${window.innerWidth}`);
    for (const el of document.body.querySelectorAll('*')) {
      if (el.closest('pre, code, .diff, textarea, svg, [data-scrolls]')) continue;
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.display === 'inline' || style.position === 'fixed') continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (style.overflowX === 'visible' && el.scrollWidth > el.clientWidth + 2 && el.clientWidth > 0) problems.push(`spills out sideways (${el.scrollWidth} > ${el.clientWidth} px): ${name(el)}`);
      const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent ?? '').join('').trim();
      const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.3;
      if (own.length >= 40 && box.width < 160 && box.height > lineHeight * 4.5) problems.push(`text squeezed into ${Math.round(box.width)} px: ${name(el)}`);
    }
    return problems;
  });
}

interface View {
  /** A file name for its screenshot. */
  id: string;
  open: (page: Page) => Promise<void>;
}

const HOSTS: { id: string; family: HostFamily }[] = [
  { id: 'ryzen', family: { ...FAMILIES[0]!, name: 'tour-ryzen', host: FIXTURE_HOSTS.seed001Ryzen } },
  { id: 'z490', family: { ...FAMILIES[0]!, name: 'tour-z490', host: FIXTURE_HOSTS.seed000Z490 } },
];
const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
];
const VM = 'gamevm';
/** The views compared with a committed golden (both languages, the first host, 1280×800, light): few and small. */
const GOLDEN_VIEWS = new Set(['dashboard', 'host', 'setup-1-welcome', 'setup-3-gpu']);
const VIEW_IDS = ['dashboard', 'host', 'machines', 'vm', 'troubleshoot', 'settings', ...WIZARD_STEPS.map((step, i) => `setup-${i + 1}-${step}`)];
/** VITRINE_TOUR_QUICK=1 while working: one size, the light theme only. */
const QUICK = process.env['VITRINE_TOUR_QUICK'] === '1';

for (const host of HOSTS) {
  const rootOf = (user: SessionUser): string => join(user.home, 'host');
  const test = sessionTest({
    domains: [VM],
    prepare: (user) => {
      writeFamilyRoot(host.family, rootOf(user));
      if (process.getuid?.() === 0) execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, rootOf(user)]);
    },
    serveArgs: (user) => [...hostRootArgs(rootOf(user)), '--setup-root', rootOf(user)],
  });

  /** The views that differ between the hosts; the second host is checked on these only. */
  const HOST_VIEWS = new Set(['dashboard', 'host', 'setup-2-host', 'setup-3-gpu']);
  for (const lang of ['en', 'fr'] as const) {
    for (const viewId of VIEW_IDS) {
      if (host !== HOSTS[0] && !HOST_VIEWS.has(viewId)) continue;
      test(`${viewId} on the ${host.id} host in ${lang}: words, accessibility, layout, screenshots`, async ({ page, serve }) => {
      test.setTimeout(240_000);
      await page.addInitScript((language) => localStorage.setItem('vitrine.language', language), lang);
      const client = await connectServe(serve.origin, await cookieFor(serve.url));
      const gpu = host.family.host.devices.find((d) => d.class.startsWith('0x03') && !d.bootVga);
      await page.goto(serve.url);
      const base = serve.url.replace(/\?.*$/, '');
      const goto = async (hash: string): Promise<void> => {
        // A fresh load for each view: the same request as a user opening it.
        // Through about:blank: a goto that only changes the hash, then a reload, sometimes reloaded the old URL.
        await page.goto('about:blank');
        await page.goto(`${base}#${hash}`);
        await expect(page).toHaveURL(`${base}#${hash}`);
      };
      const views: View[] = [
        { id: 'dashboard', open: (p) => goto('/').then(() => expect(p.locator(`[data-domain="${VM}"]`).first()).toBeVisible({ timeout: 30_000 })) },
        { id: 'host', open: (p) => goto('/host').then(() => expect(p.locator('.check').first()).toBeVisible({ timeout: 30_000 })) },
        { id: 'machines', open: (p) => goto('/machines').then(() => expect(p.getByText(VM).first()).toBeVisible({ timeout: 30_000 })) },
        { id: 'vm', open: (p) => goto(`/machines/${VM}`).then(() => expect(p.getByRole('heading', { level: 1, name: VM })).toBeVisible({ timeout: 30_000 })) },
        { id: 'troubleshoot', open: (p) => goto('/troubleshoot').then(() => expect(p.getByRole('heading', { level: 1 })).toBeVisible()) },
        { id: 'settings', open: (p) => goto('/settings').then(() => expect(p.locator('select').first()).toBeVisible({ timeout: 30_000 })) },
        ...WIZARD_STEPS.map((step, i) => ({
          id: `setup-${i + 1}-${step}`,
          open: async (p: Page) => {
            await client.request('wizard.set', { step, gpu: gpu ? `0000:${gpu.address}` : null, vm: i >= 5 ? VM : null, done: false });
            await goto('/setup');
            await expect(p.getByRole('heading', { level: 2 })).toContainText(`${i + 1}`, { timeout: 30_000 });
          },
        })),
      ];
      const view = views.find((v) => v.id === viewId)!;
      const failures: string[] = [];
      {
        // Opened once at 1280×800 in the light theme; the theme and the size then change live (media queries follow).
        await page.setViewportSize(SIZES[0]!);
        await page.emulateMedia({ colorScheme: 'light' });
        await view.open(page);
        // Until nothing says it is still loading.
        for (const text of LOADING) await expect(page.getByText(text, { exact: true })).toHaveCount(0, { timeout: 60_000 });
        for (const [size, scheme] of [[SIZES[0]!, 'light'], [SIZES[0]!, 'dark'], [SIZES[1]!, 'light']] as const) {
          if (QUICK && (size !== SIZES[0] || scheme !== 'light')) continue;
          await page.setViewportSize(size);
          await page.emulateMedia({ colorScheme: scheme });
          const where = `${host.id} ${lang} ${view.id} ${size.width}x${size.height} ${scheme}`;
          await page.screenshot({ path: `test-results/e2e/tour/${host.id}-${lang}-${view.id}-${size.width}-${scheme}.png`, fullPage: size === SIZES[0] && scheme === 'light' });
          if (size === SIZES[0]) {
            // axe in both themes (contrast differs).
            const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
            for (const v of violations) failures.push(`${where}: axe ${v.id}: ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`.slice(0, 300)).join(' | ')}`);
          }
          if (scheme !== 'light') continue;
          // Layout at both sizes.
          for (const p of await layoutProblems(page)) failures.push(`${where}: ${p}`);
          if (size !== SIZES[0]) continue;
          for (const text of await visibleTexts(page)) {
            for (const pattern of JARGON) if (pattern.test(text)) failures.push(`${where}: jargon ${pattern}: "${text}"`);
            if (lang !== 'fr') continue;
            const sentence = ENGLISH_SENTENCES.find((s) => text.includes(s));
            const english = words(text).filter((w) => ENGLISH_ONLY.has(w));
            if (sentence || english.length >= 2) failures.push(`${where}: English in French: "${text.slice(0, 160)}"${sentence ? '' : ` (${english.join(', ')})`}`);
          }
          if (host === HOSTS[0] && GOLDEN_VIEWS.has(view.id)) {
            await expect.soft(page).toHaveScreenshot(`${lang}-${view.id}.png`, {
              // What differs from run to run: paths under the session's home, UUIDs, times.
              mask: [page.locator('.mono, code, input, textarea, time, .picker')],
              maxDiffPixelRatio: 0.01,
              animations: 'disabled',
              timeout: 30_000,
            });
          }
        }
      }
      client.ws.close();
      expect([...new Set(failures)]).toEqual([]);
      });
    }
  }
}
