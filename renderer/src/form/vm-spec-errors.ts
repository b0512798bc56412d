import type { TFunction } from 'i18next';
import type { z } from 'zod';
import type { VmSpec } from '../../../shared/api';
import { vmSpec } from '../../../shared/schemas';

/** The fields of the VM form that are checked as the user types. */
export type SpecField = 'name' | 'vcpus' | 'memoryMiB' | 'diskSizeGiB' | 'diskPath' | 'windowsIso' | 'virtioIso' | 'resolution';

/**
 * The schema's own messages (shared/schemas.ts, English, what the CLI and the
 * service say) -> the catalogue's key, so the form says the same in the UI's
 * language. A message not listed here is shown as the schema wrote it; the
 * unit test walks every bad value the schema refuses and fails on one.
 */
const MESSAGES: { match: RegExp; key: string; params?: (m: RegExpMatchArray) => Record<string, string | number> }[] = [
  { match: /^A VM name cannot be empty\.$/, key: 'nameEmpty' },
  { match: /^A VM name is at most 64 characters \(this one has (\d+)\)\.$/, key: 'nameTooLong', params: (m) => ({ count: Number(m[1]) }) },
  { match: /^A VM name cannot contain a line break or a tab\.$/, key: 'nameLineBreak' },
  { match: /^A VM name cannot start with "-"/, key: 'nameDash' },
  { match: /^A VM name cannot contain (.+): use letters, digits, spaces and \. _ \+ -$/, key: 'nameChars', params: (m) => ({ chars: m[1]! }) },
  { match: /^A VM name starts with a letter or a digit\.$/, key: 'nameStart' },
  { match: /^A VM name cannot end with a space\.$/, key: 'nameEndSpace' },
  { match: /^A path cannot be empty\.$/, key: 'pathEmpty' },
  { match: /^Give an absolute path \(starting with \/\)\.$/, key: 'pathAbsolute' },
  { match: /^A path cannot contain control characters\.$/, key: 'pathControl' },
];

/** One schema issue in the UI's language. */
export function issueText(t: TFunction, issue: z.core.$ZodIssue): string {
  for (const { match, key, params } of MESSAGES) {
    const m = issue.message.match(match);
    if (m) return t(`validation.${key}`, params?.(m) ?? {});
  }
  switch (issue.code) {
    case 'too_small':
      return t('validation.tooSmall', { min: Number(issue.minimum) });
    case 'too_big':
      return t('validation.tooBig', { max: Number(issue.maximum) });
    case 'invalid_type':
      return issue.expected === 'int' ? t('validation.whole') : t('validation.number');
    default:
      return issue.message;
  }
}

/** Whether a schema message is one the catalogue translates (for the test). */
export function isTranslated(message: string): boolean {
  return MESSAGES.some(({ match }) => match.test(message));
}

/**
 * Every field's problem, checked with the very schema `vm.create` parses its
 * argument with (shared/schemas.ts `vmSpec`): an empty object when the spec
 * would be accepted.
 */
export function specErrors(t: TFunction, spec: VmSpec): Partial<Record<SpecField, string>> {
  const parsed = vmSpec.safeParse(spec);
  if (parsed.success) return {};
  const errors: Partial<Record<SpecField, string>> = {};
  for (const issue of parsed.error.issues) {
    const field = fieldOf(issue.path);
    if (field && !errors[field]) errors[field] = issueText(t, issue);
  }
  return errors;
}

function fieldOf(path: readonly PropertyKey[]): SpecField | null {
  const [first, second] = path;
  if (first === 'disk') return second === 'sizeGiB' ? 'diskSizeGiB' : 'diskPath';
  if (first === 'name' || first === 'vcpus' || first === 'memoryMiB' || first === 'windowsIso' || first === 'virtioIso' || first === 'resolution') return first;
  if (first === 'threads') return 'vcpus';
  return null;
}
