/** The helper's exit codes (distinct, so the app can explain each). pkexec adds 126 and 127. */
export const EXIT = {
  ok: 0,
  usage: 2,
  invalidPlan: 3,
  pathRefused: 4,
  changedSincePlanned: 5,
  notRoot: 6,
  ioFailure: 7,
  commandFailed: 8,
  noBackup: 9,
  romInvalid: 10,
  /** pkexec: the user dismissed the password dialog. */
  cancelled: 126,
  /** pkexec: not authorised (or no polkit agent could ask). */
  notAuthorised: 127,
} as const;
