import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/session-libvirt';
import { folderCycles, projectImports, upwardImports } from '../support/layers';

// docs/architecture.md: shared < common < state < host < libvirt <
// lookingglass/setup/diagnose/desktop < services < api < shell/web/cli.
describe('layers', () => {
  const edges = projectImports(repoRoot, ['main', 'preload', 'shared']);

  it('reads the imports of the tree', () => {
    expect(edges.length).toBeGreaterThan(150);
  });

  it('has no import from a lower layer to a higher one', () => {
    expect(upwardImports(edges)).toEqual([]);
  });

  it('has no import cycle between folders', () => {
    expect(folderCycles(edges)).toEqual([]);
  });

  it('catches a planted upward import and a planted cycle', () => {
    expect(upwardImports([{ from: 'main/host/scan.ts', to: 'main/libvirt/virsh' }])).toHaveLength(1);
    expect(upwardImports([{ from: 'shared/api.ts', to: 'main/common/errors' }])).toHaveLength(1);
    expect(upwardImports([{ from: 'main/libvirt/virsh.ts', to: 'main/host/scan' }])).toEqual([]);
    expect(
      folderCycles([
        { from: 'main/setup/planner.ts', to: 'main/diagnose/match' },
        { from: 'main/diagnose/match.ts', to: 'main/lookingglass/classify' },
        { from: 'main/lookingglass/classify.ts', to: 'main/setup/planner' },
      ]),
    ).toEqual([['main/diagnose', 'main/lookingglass', 'main/setup']]);
  });
});
