import { homedir } from 'node:os';
import { join } from 'node:path';

/** Vitrine's data folder: $XDG_DATA_HOME/vitrine, or ~/.local/share/vitrine. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_DATA_HOME'] && env['XDG_DATA_HOME'].startsWith('/') ? env['XDG_DATA_HOME'] : join(env['HOME'] || homedir(), '.local', 'share');
  return join(base, 'vitrine');
}

/** Vitrine's cache folder (what can be rebuilt at any time): $XDG_CACHE_HOME/vitrine, or ~/.cache/vitrine. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CACHE_HOME'] && env['XDG_CACHE_HOME'].startsWith('/') ? env['XDG_CACHE_HOME'] : join(env['HOME'] || homedir(), '.cache');
  return join(base, 'vitrine');
}
