import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WizardState, WizardView } from '../../shared/api';
import { WIZARD_STEPS } from '../../shared/enums';
import { wizardPatch } from '../../shared/schemas';
import { serialized, writeFileAtomic } from '../common/atomic-write';
import { salvageJson } from './keep-aside';

export const INITIAL_WIZARD: WizardState = { step: 'welcome', gpu: null, lookingGlass: null, changeSet: null, bootIdAtApply: null, vm: null, done: false };

/**
 * The first-time setup's progress in DATA/wizard.json, so it resumes where it
 * was, also after the reboot host preparation needs. The kernel's boot id at
 * apply time tells whether that reboot happened.
 */
export class WizardStore {
  private readonly file: string;

  constructor(
    dataDir: string,
    /** /proc/sys/kernel/random/boot_id, under the host's proc root. */
    private readonly bootIdFile: string,
  ) {
    this.file = join(dataDir, 'wizard.json');
  }

  private async bootId(): Promise<string | null> {
    return (await readFile(this.bootIdFile, 'utf8').catch(() => '')).trim() || null;
  }

  async get(): Promise<WizardView> {
    const text = await readFile(this.file, 'utf8').catch(() => null);
    // A broken file is kept aside, not reset: it may hold the change set id that undoes host preparation.
    const state: WizardState = text ? await salvageJson(this.file, text, wizardPatch, INITIAL_WIZARD, 'wizard-kept-aside', 'a wizard state') : INITIAL_WIZARD;
    const now = await this.bootId();
    const rebooted = state.bootIdAtApply === null || now === null ? null : now !== state.bootIdAtApply;
    return { ...state, rebooted };
  }

  async set(patch: Partial<WizardState>): Promise<WizardView> {
    // One change at a time: each starts from the file the previous one wrote.
    return serialized(this.file, () => this.write(patch));
  }

  private async write(patch: Partial<WizardState>): Promise<WizardView> {
    const view = await this.get();
    const current: WizardState = { step: view.step, gpu: view.gpu, lookingGlass: view.lookingGlass, changeSet: view.changeSet, bootIdAtApply: view.bootIdAtApply, vm: view.vm, done: view.done, reached: view.reached ?? view.step, ...(view.handover ? { handover: view.handover } : {}) };
    const next: WizardState = { ...current, ...(wizardPatch.parse(patch) as Partial<WizardState>) };
    // Going back keeps the later steps open; a patch may lower `reached` on purpose (the VM was deleted).
    if (patch.reached === undefined && WIZARD_STEPS.indexOf(next.step) > WIZARD_STEPS.indexOf(next.reached ?? 'welcome')) next.reached = next.step;
    // Applying host preparation: remember this boot, to know when the reboot happened.
    if (patch.changeSet && patch.changeSet !== current.changeSet) next.bootIdAtApply = await this.bootId();
    await writeFileAtomic(this.file, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600, dirMode: 0o700 });
    return this.get();
  }
}
