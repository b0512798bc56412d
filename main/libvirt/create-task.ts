import type { Task, VmSpec } from '../../shared/api';
import { VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';
import type { TaskTracker } from '../state/tasks';
import type { VmService } from './vm-service';

/** Create a VM as a task: check, disk, define, each step reported; cancellable until it is defined. */
export async function createVmTask(vm: VmService, tasks: TaskTracker, spec: VmSpec): Promise<Task> {
  if (tasks.running(spec.name)) throw VitrineError.of('busy', msg('error.vm.busyCreating', { name: spec.name }), msg('error.waitHint'));
  const task = tasks.begin(
    'create',
    spec.name,
    `Create ${spec.name}`,
    [
      { id: 'check', label: 'Check the ISOs and the disk location' },
      { id: 'disk', label: 'Create the disk' },
      { id: 'define', label: 'Define the VM' },
    ],
    { cancellable: true },
  );
  let current: 'check' | 'disk' | 'define' | null = null;
  const move = (step: 'check' | 'disk' | 'define'): void => {
    if (current) task.step(current, 'done');
    current = step;
    task.step(step, 'running');
  };
  try {
    const result = await vm.create(spec, {
      progress: (step) => {
        task.checkCancelled();
        move(step);
        if (step === 'disk') task.step('disk', 'running', `${spec.disk.sizeGiB} GiB qcow2 at ${spec.disk.path}`);
      },
      beforeDefine: () => {
        task.checkCancelled();
        task.setCancellable(false);
      },
    });
    if (current) task.step(current, 'done', `${spec.name} is defined; its disk is ${result.disk}.`);
    return task.finish();
  } catch (error) {
    if (current) task.step(current, 'failed');
    return task.finish(error);
  }
}
