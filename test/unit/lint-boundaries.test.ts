import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/session-libvirt';

// The folder rules of docs/architecture.md are lint rules: prove they fire.
const eslint = new ESLint({ cwd: repoRoot });

async function restrictedImports(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  it("fails on an 'electron' import in main/host/", async () => {
    expect(await restrictedImports("import { app } from 'electron';\nexport const a = app;\n", 'main/host/scan.ts')).toHaveLength(1);
  }, 60_000); // the first run loads ESLint and the TypeScript parser

  it("allows 'electron' in main/shell/ and preload/", async () => {
    expect(await restrictedImports("import { app } from 'electron';\nexport const a = app;\n", 'main/shell/tray.ts')).toEqual([]);
    expect(await restrictedImports("import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;\n", 'preload/index.ts')).toEqual([]);
  });

  it('fails on a main/ import in renderer/', async () => {
    expect(await restrictedImports("import { Virsh } from '../../main/libvirt/virsh';\nexport const v = Virsh;\n", 'renderer/src/pages/x.tsx')).toHaveLength(1);
  });

  it('fails on a Node module in renderer/', async () => {
    expect(await restrictedImports("import fs from 'node:fs';\nexport const f = fs;\n", 'renderer/src/x.ts')).toHaveLength(1);
    expect(await restrictedImports("import { spawn } from 'child_process';\nexport const s = spawn;\n", 'renderer/src/x.ts')).toHaveLength(1);
  });

  it('fails on child_process outside main/common/process.ts and the root helper', async () => {
    const spawnImport = "import { spawn } from 'node:child_process';\nexport const s = spawn;\n";
    expect(await restrictedImports(spawnImport, 'main/host/x.ts')).toHaveLength(1);
    expect(await restrictedImports("import { execFile } from 'child_process';\nexport const e = execFile;\n", 'main/libvirt/x.ts')).toHaveLength(1);
    expect(await restrictedImports(spawnImport, 'main/shell/x.ts')).toHaveLength(1);
    expect(await restrictedImports(spawnImport, 'preload/x.ts')).toHaveLength(1);
    expect(await restrictedImports(spawnImport, 'shared/x.ts')).toHaveLength(1);
    expect(await restrictedImports(spawnImport, 'renderer/src/x.ts')).toHaveLength(1);
  });

  it('allows child_process in the process module, the root helper, tests and scripts', async () => {
    const spawnImport = "import { spawn } from 'node:child_process';\nexport const s = spawn;\n";
    expect(await restrictedImports(spawnImport, 'main/common/process.ts')).toEqual([]);
    expect(await restrictedImports(spawnImport, 'main/setup/helper/main.ts')).toEqual([]);
    expect(await restrictedImports(spawnImport, 'test/integration/x.test.ts')).toEqual([]);
    expect(await restrictedImports(spawnImport, 'test/run.mjs')).toEqual([]);
    expect(await restrictedImports(spawnImport, 'assets/make-icons.mjs')).toEqual([]);
  });

  it("keeps 'electron' out of the process module and the helper, and child_process out beside 'electron' in main/", async () => {
    expect(await restrictedImports("import { app } from 'electron';\nexport const a = app;\n", 'main/common/process.ts')).toHaveLength(1);
    expect(await restrictedImports("import { app } from 'electron';\nexport const a = app;\n", 'main/setup/helper/main.ts')).toHaveLength(1);
    expect(await restrictedImports("import { app } from 'electron';\nimport { spawn } from 'node:child_process';\nexport const a = [app, spawn];\n", 'main/host/x.ts')).toHaveLength(2);
  });

  it('lets the renderer use the contract', async () => {
    expect(await restrictedImports("import type { VitrineApi } from '../../../shared/api';\nexport type A = VitrineApi;\n", 'renderer/src/x.ts')).toEqual([]);
  });
});
