import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The layers of docs/architecture.md, lowest first. A file may import from its
 * own layer or a lower one, never a higher one. `main/<folder>` is a unit; the
 * project's top-level `shared/` is below everything.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['shared'],
  ['main/common'],
  ['main/state'],
  ['main/host'],
  ['main/libvirt'],
  ['main/lookingglass', 'main/setup', 'main/diagnose', 'main/desktop', 'main/proxmox'],
  ['main/services'],
  ['main/api'],
  ['main/shell', 'main/web', 'main/cli', 'preload'],
];

/** The unit a project file belongs to (`main/libvirt/xml/nodes.ts` -> `main/libvirt`), or null outside the layers. */
export function unitOf(file: string): string | null {
  const parts = file.split('/');
  if (parts[0] === 'shared' || parts[0] === 'preload') return parts[0];
  if (parts[0] === 'main' && parts.length > 2) return `main/${parts[1]}`;
  return null;
}

export function rankOf(unit: string): number {
  const rank = LAYERS.findIndex((layer) => layer.includes(unit));
  if (rank < 0) throw new Error(`${unit} is in no layer: add it to LAYERS in test/support/layers.ts and to docs/architecture.md.`);
  return rank;
}

export interface ImportEdge {
  from: string;
  to: string;
}

/** Every relative import (type-only ones too) between project files under the given folders. */
export function projectImports(root: string, folders: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        const info = ts.preProcessFile(readFileSync(join(root, path), 'utf8'), true, true);
        for (const ref of info.importedFiles) {
          if (!ref.fileName.startsWith('.')) continue;
          edges.push({ from: path, to: relative(root, resolve(root, dirname(path), ref.fileName)) });
        }
      }
    }
  };
  for (const folder of folders) walk(folder);
  return edges;
}

/** Imports that run from a lower layer up to a higher one. */
export function upwardImports(edges: readonly ImportEdge[]): string[] {
  const bad: string[] = [];
  for (const { from, to } of edges) {
    const a = unitOf(from);
    const b = unitOf(to);
    if (!a || !b || a === b) continue;
    if (rankOf(b) > rankOf(a)) bad.push(`${from} imports ${to} (${a} is below ${b})`);
  }
  return bad;
}

/** Cycles between units (folders), each as the list of units on it. */
export function folderCycles(edges: readonly ImportEdge[]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const a = unitOf(from);
    const b = unitOf(to);
    if (!a || !b || a === b) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  // Tarjan's strongly connected components: any with two or more units is a cycle.
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return cycles;
}
