interface AliasEntry {
  pattern: string;
  module: string;
  regex?: RegExp;
}

/** Which kernel modules declare they can bind a device, from `modules.alias`. */
export interface ModuleAliases {
  /** Modules whose `pci:` alias matches a device's modalias, sorted, without duplicates. */
  match(modalias: string): string[];
}

/** fnmatch-style glob (`*`, `?`, `[...]`) as an anchored regular expression. */
function globToRegex(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        out += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/**
 * Parse the `alias pci:… module` lines of modules.alias, indexed by vendor so
 * that a device is tested only against its vendor's aliases and the wildcards.
 */
export function parseModulesAlias(text: string): ModuleAliases {
  const byVendor = new Map<string, AliasEntry[]>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('alias pci:')) continue;
    const parts = line.split(/\s+/);
    const pattern = parts[1];
    const module = parts[2];
    if (!pattern || !module) continue;
    const vendor = pattern.slice(5, 13); // after "pci:v"
    const key = /^[0-9A-F]{8}$/.test(vendor) ? vendor : '*';
    let list = byVendor.get(key);
    if (!list) byVendor.set(key, (list = []));
    list.push({ pattern, module });
  }
  // Hosts repeat devices (root ports, the functions of one chip): each modalias is matched once.
  const seen = new Map<string, string[]>();
  return {
    match(modalias) {
      const known = seen.get(modalias);
      if (known) return [...known];
      const vendor = modalias.slice(5, 13).toUpperCase();
      const found = new Set<string>();
      for (const list of [byVendor.get(vendor), byVendor.get('*')]) {
        for (const entry of list ?? []) {
          entry.regex ??= globToRegex(entry.pattern);
          if (entry.regex.test(modalias)) found.add(entry.module);
        }
      }
      const modules = [...found].sort();
      seen.set(modalias, modules);
      return [...modules];
    },
  };
}

export const NO_ALIASES: ModuleAliases = { match: () => [] };

/** The modalias the kernel would print, for devices whose sysfs lacks the file. */
export function buildModalias(ids: { vendorId: string; deviceId: string; subsystemVendorId: string | null; subsystemDeviceId: string | null; class: string }): string {
  const hex8 = (v: string | null): string => (v ?? '0').padStart(8, '0').toUpperCase();
  const cls = ids.class.replace(/^0x/, '').padStart(6, '0').toUpperCase();
  return `pci:v${hex8(ids.vendorId)}d${hex8(ids.deviceId)}sv${hex8(ids.subsystemVendorId)}sd${hex8(ids.subsystemDeviceId)}bc${cls.slice(0, 2)}sc${cls.slice(2, 4)}i${cls.slice(4, 6)}`;
}
