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
export function globToRegex(glob: string): RegExp {
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

// An alias whose vendor (and device) ids are written out, `pci:v00008086d00001533sv*…`,
// can only match a modalias that begins with those same characters: the glob is
// anchored and those characters are literal. Such aliases are filed under that
// beginning, so a device is tested only against its own (vendor, device)'s aliases,
// its vendor's aliases for any device, and the aliases whose vendor is a pattern.
const VENDOR_PREFIX = /^pci:v[0-9A-F]{8}$/; // 13 characters
const DEVICE_PREFIX = /^pci:v[0-9A-F]{8}d[0-9A-F]{8}$/; // 22 characters

/**
 * Parse the `alias pci:… module` lines of modules.alias (a real one has ~9,000
 * among ~26,000 lines), indexed by the literal beginning of each pattern: a
 * device is matched against the few aliases that can match it, each by the
 * same glob as before. Each distinct modalias is matched once.
 */
export function parseModulesAlias(text: string): ModuleAliases {
  const byDevice = new Map<string, AliasEntry[]>();
  const byVendor = new Map<string, AliasEntry[]>();
  const others: AliasEntry[] = [];
  const file = (map: Map<string, AliasEntry[]>, key: string, entry: AliasEntry): void => {
    const list = map.get(key);
    if (list) list.push(entry);
    else map.set(key, [entry]);
  };
  // Only the lines that begin with `alias pci:` are split (the others are skipped by indexOf).
  for (let at = text.startsWith('alias pci:') ? 0 : text.indexOf('\nalias pci:'); at >= 0; at = text.indexOf('\nalias pci:', at)) {
    if (text.charCodeAt(at) === 10 /* \n */) at++;
    const next = text.indexOf('\n', at);
    const line = text.slice(at, next < 0 ? text.length : next);
    at = next < 0 ? text.length : next;
    const parts = line.split(/\s+/);
    const pattern = parts[1];
    const module = parts[2];
    if (!pattern || !module) continue;
    const entry: AliasEntry = { pattern, module };
    if (DEVICE_PREFIX.test(pattern.slice(0, 22))) file(byDevice, pattern.slice(0, 22), entry);
    else if (VENDOR_PREFIX.test(pattern.slice(0, 13))) file(byVendor, pattern.slice(0, 13), entry);
    else others.push(entry);
  }
  // Hosts repeat devices (root ports, the functions of one chip): each modalias is matched once.
  const seen = new Map<string, string[]>();
  return {
    match(modalias) {
      const known = seen.get(modalias);
      if (known) return [...known];
      const found = new Set<string>();
      for (const list of [byDevice.get(modalias.slice(0, 22)), byVendor.get(modalias.slice(0, 13)), others]) {
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
