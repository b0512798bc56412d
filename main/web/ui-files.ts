import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

/**
 * Read a file of the built UI for a URL path (`/` is index.html), for both
 * app://vitrine/ in Electron and `vitrine serve`. Paths that leave the UI
 * folder, and missing files, give null.
 */
export async function readUiFile(uiDir: string, pathname: string): Promise<{ body: Buffer; contentType: string } | null> {
  const root = resolve(uiDir);
  let relative: string;
  try {
    relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
  } catch {
    return null; // malformed %-escape
  }
  const file = resolve(root, relative);
  if (!file.startsWith(root + sep)) return null;
  try {
    return { body: await readFile(file), contentType: MIME[extname(file)] ?? 'application/octet-stream' };
  } catch {
    return null;
  }
}
