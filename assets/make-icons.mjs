// Renders the app icon at every hicolor size and the tray icons to PNG, with
// Debian's Chromium (run after changing an SVG: node assets/make-icons.mjs).
// electron-builder takes assets/icons/NxN.png; the tray loads assets/tray/*.png.
import { chromium } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
const HICOLOR = [16, 24, 32, 48, 64, 128, 256, 512];
const browser = await chromium.launch({ executablePath: process.env.VITRINE_CHROMIUM ?? '/usr/bin/chromium', args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
const page = await browser.newPage();

async function render(svgFile, size, out) {
  const data = readFileSync(svgFile).toString('base64');
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(`<html><body style="margin:0;background:transparent"><img width="${size}" height="${size}" src="data:image/svg+xml;base64,${data}"></body></html>`);
  await page.locator('img').evaluate((img) => img.decode());
  await page.screenshot({ path: out, omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
}

for (const size of HICOLOR) await render(join(here, 'icon.svg'), size, join(here, 'icons', `${size}x${size}.png`));
for (const state of ['idle', 'running', 'attention']) {
  await render(join(here, 'tray', `tray-${state}.svg`), 32, join(here, 'tray', `tray-${state}.png`));
  await render(join(here, 'tray', `tray-${state}.svg`), 64, join(here, 'tray', `tray-${state}@2x.png`));
}
await browser.close();
