import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AppSettings } from '../../shared/api';
import { LIBVIRT_URI_MAX, libvirtUriProblem } from '../../shared/libvirt-uri';
import { VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';
import { serialized, writeFileAtomic } from '../common/atomic-write';
import { salvageJson } from './keep-aside';

// zod and the settings' schemas load with the first settings file read or written: without one (and for
// savedLibvirtUri), `vitrine play` and `vitrine vm list` run without them.
const schema = async (): Promise<typeof import('../../shared/settings-schema').settingsPatch> => (await import('../../shared/settings-schema')).settingsPatch;

export const DEFAULT_SETTINGS: AppSettings = {
  libvirtUri: null,
  clientPath: null,
  onClientClose: 'ask',
  fallbackResolution: null,
  language: null,
  startAtLogin: false,
  trayHintShown: false,
};

/** Vitrine's config folder: $XDG_CONFIG_HOME/vitrine, or ~/.config/vitrine. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CONFIG_HOME'] && env['XDG_CONFIG_HOME'].startsWith('/') ? env['XDG_CONFIG_HOME'] : join(env['HOME'] || homedir(), '.config');
  return join(base, 'vitrine');
}

/**
 * The app's settings file. A hand-edited file with a bad value keeps its
 * other values (the bad one falls back to the default); either way the file
 * as it was is kept aside as settings.json.broken-<time> and the user is told
 * once (state/notices.ts), so nothing typed is lost.
 */
export class SettingsStore {
  readonly file: string;
  private cache: AppSettings | null = null;

  constructor(dir: string = configDir()) {
    this.file = join(dir, 'settings.json');
  }

  private loading: Promise<AppSettings> | null = null;

  async get(): Promise<AppSettings> {
    if (this.cache) return this.cache;
    // Concurrent first reads share one load (it may move a broken file aside).
    this.loading ??= this.load().finally(() => (this.loading = null));
    return this.loading;
  }

  private async load(): Promise<AppSettings> {
    const text = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw VitrineError.of('settings', msg('error.state.settingsUnreadable', { path: this.file, said: error.code ?? error.message }), msg('error.state.settingsUnreadableHint'));
    });
    const settings = text === null ? { ...DEFAULT_SETTINGS } : await salvageJson(this.file, text, await schema(), DEFAULT_SETTINGS, 'settings-kept-aside', 'a settings object');
    this.cache = settings;
    return settings;
  }

  async set(patch: Partial<AppSettings>): Promise<AppSettings> {
    const parsed = (await schema()).safeParse(patch);
    // The registry checks the same schema first: this is for callers that skip it.
    if (!parsed.success) throw VitrineError.of('invalid-argument', msg('error.state.badSetting', { issues: parsed.error.issues.map((i) => i.message).join('; ') }), msg('error.state.badSettingHint'));
    // One change at a time: each starts from the file the previous one wrote.
    return serialized(this.file, async () => {
      const next = { ...(await this.get()), ...parsed.data };
      await writeFileAtomic(this.file, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600, dirMode: 0o700 });
      this.cache = next;
      return next;
    });
  }
}

/** The libvirt URI saved in the settings file, read once at start-up (null when none or unreadable). */
export function savedLibvirtUri(dir: string = configDir()): string | null {
  try {
    const { libvirtUri } = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as { libvirtUri?: unknown };
    // The settings schema's rules for it (settings-schema.ts: libvirtUri), without zod.
    return typeof libvirtUri === 'string' && libvirtUri.length <= LIBVIRT_URI_MAX && libvirtUriProblem(libvirtUri) === null ? libvirtUri : null;
  } catch {
    return null;
  }
}
