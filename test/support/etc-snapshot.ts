import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under a scratch root's etc/ (the host side), with bytes, mode and owner: the before/after of an apply or rollback. */
export function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      const info = lstatSync(full);
      if (info.isDirectory()) walk(full);
      else out[relative(root, full)] = `${(info.mode & 0o7777).toString(8)} ${info.uid}:${info.gid} ${info.isFile() ? readFileSync(full, 'base64') : 'special'}`;
    }
  };
  walk(join(root, 'etc'));
  return out;
}

/** Temporary files the helper would leave (`.NAME.vitrine-*`) anywhere under the root. */
export function temps(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (name.includes('.vitrine-')) found.push(relative(root, full));
      if (lstatSync(full).isDirectory()) walk(full);
    }
  };
  walk(root);
  return found;
}
