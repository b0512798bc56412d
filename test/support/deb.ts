import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { repoRoot } from './session-libvirt';

/** electron-builder.yml as electron-builder reads it. */
export function builderConfig(): Record<string, unknown> & { linux: Record<string, unknown>; deb: Record<string, unknown> } {
  return load(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8')) as never;
}

export function packageJson(): { name: string; version: string; homepage: string; license: string } {
  return JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as never;
}

/**
 * Fill a maintainer-script template the way electron-builder does
 * (app-builder-lib/out/targets/FpmTarget.js, writeConfigFile: `${name}`
 * macros, an unknown one is an error).
 */
export function renderTemplate(text: string, values: Record<string, string>): string {
  return text.replace(/\${([a-zA-Z]+)}/g, (_match, name: string) => {
    if (!(name in values)) throw new Error(`Macro ${name} is not defined`);
    return values[name]!;
  });
}

/** The deb's control file from the configuration, field by field as FpmTarget hands them to fpm. */
export function debControl(): string {
  const config = builderConfig();
  const pkg = packageJson();
  const linux = config.linux as { executableName: string; synopsis: string; description: string; maintainer: string };
  const deb = config.deb as { depends: string[]; recommends: string[]; packageCategory: string; priority: string };
  return [
    `Package: ${pkg.name}`,
    `Version: ${pkg.version}`,
    'Architecture: amd64',
    `Maintainer: ${linux.maintainer}`,
    `Depends: ${deb.depends.join(', ')}`,
    `Recommends: ${deb.recommends.join(', ')}`,
    `Section: ${deb.packageCategory}`,
    `Priority: ${deb.priority}`,
    `Homepage: ${pkg.homepage}`,
    `License: ${pkg.license}`,
    `Description: ${linux.synopsis}`,
    ` ${linux.description.trim()}`,
    '',
  ].join('\n');
}

/** Run a program; resolve with its output and exit code (never rejects). */
export function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(file, args, { env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 1) : 0;
      done({ code, out: `${stdout}${stderr}` });
    });
  });
}
