import type { WizardView } from '../../../../shared/api';

/** What a step may change in the saved wizard (`rebooted` is the service's to say). */
export type Patch = Partial<Omit<WizardView, 'rebooted'>>;

/** Back to the previous step, or null on the first. */
export type Back = (() => void) | null;
