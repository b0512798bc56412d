/** The helper's exit codes (distinct, so the app can explain each). pkexec adds 126 and 127. */
export const EXIT = {
  ok: 0,
  usage: 2,
  /** The request (or, for rollback, a change set's record) is malformed, or the planner refused it on this host. */
  invalidPlan: 3,
  pathRefused: 4,
  changedSincePlanned: 5,
  notRoot: 6,
  ioFailure: 7,
  commandFailed: 8,
  noBackup: 9,
  romInvalid: 10,
  /** The helper's own plan of the host is not the plan the user reviewed (another id): a file changed, or the request or id were swapped. */
  planMismatch: 11,
  /** `--root` was refused: under pkexec, or not a plain scratch folder (`//`, `/.`, a link, `/` itself). */
  rootRefused: 12,
  /** A write failed and undoing it failed too: the host is half-applied (the message names the command that finishes the undo). */
  halfApplied: 13,
  /** Not enough free space for the backups and the new files: refused before anything changed. */
  noSpace: 14,
  /** pkexec: the user dismissed the password dialog. */
  cancelled: 126,
  /** pkexec: not authorised (or no polkit agent could ask). */
  notAuthorised: 127,
} as const;
