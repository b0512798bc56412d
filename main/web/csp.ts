import { createHash } from 'node:crypto';

/**
 * The one inline style of the UI's index.html (put there by the renderer's
 * build, electron.vite.config.ts): what the placeholder needs to be drawn as
 * the shell's brand before the stylesheet arrives. The stylesheet sits at the
 * end of <body>, so it does not hold the first paint back; the app's script
 * still runs after it (a script waits for the stylesheets before it).
 * `color-scheme` gives a dark page at once on a dark desktop.
 */
export const SHELL_STYLE =
  ":root{color-scheme:light dark;font-family:system-ui,'Cantarell','Noto Sans','Segoe UI',sans-serif;font-size:15px;line-height:1.45}body{margin:0}#root>.brand{font-weight:700;font-size:1.3rem;padding:1.25rem 1.5rem;letter-spacing:0.02em}";
const SHELL_STYLE_HASH = `sha256-${createHash('sha256').update(SHELL_STYLE).digest('base64')}`;

/**
 * The Content-Security-Policy for the UI, in the desktop window (app://) and
 * in `vitrine serve`: only the app's own scripts, styles and connections (and
 * SHELL_STYLE, by its hash).
 * https://www.electronjs.org/docs/latest/tutorial/security#7-define-a-content-security-policy
 */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' '${SHELL_STYLE_HASH}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
