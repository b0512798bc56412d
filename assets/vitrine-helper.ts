/**
 * The root helper's entry point, built to one self-contained script
 * (out/helper/vitrine-helper.mjs) and installed root-owned; started only as
 * `pkexec vitrine-helper VERB ARGS`. Everything it does is in main/setup/helper/.
 */
import { helperMain } from '../main/setup/helper/main';

void helperMain(process.argv.slice(2)).then((code) => process.exit(code));
