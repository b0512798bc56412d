import { useTranslation } from 'react-i18next';
import type { Finding, KnownProblem } from '../../../shared/api';
import knowledgeFr from '../../../shared/i18n/knowledge.fr.json';

interface KnownText {
  title: string;
  explanation: string;
  fix: string[];
  fixLabel?: string;
}
/** The known problems in each language other than English (main/diagnose/knowledge.ts holds the English), by id. */
const KNOWLEDGE: Record<string, Record<string, KnownText>> = { fr: knowledgeFr };

/**
 * A known problem (or a finding) in the UI's language: its title,
 * explanation, fix steps and one-click fix label; the English when the
 * language has no text for it (or the finding was reworded by contrary
 * evidence, which carries log lines).
 */
export function useKnownText() {
  const { i18n } = useTranslation();
  return (problem: KnownProblem | Finding): { title: string; explanation: string; fix: string[]; label: (english: string) => string } => {
    const text = KNOWLEDGE[i18n.language]?.[problem.id];
    const contradicted = 'contradicted' in problem && problem.contradicted === true;
    if (!text || contradicted || text.fix.length !== problem.fix.length) return { title: problem.title, explanation: problem.explanation, fix: problem.fix, label: (english) => english };
    return {
      title: text.title,
      explanation: text.explanation,
      fix: text.fix,
      // A label may end with what the evidence gave (": 64 MiB").
      label: (english) => (text.fixLabel ? `${text.fixLabel}${english.match(/: \d+ MiB$/)?.[0]?.replace('MiB', 'Mio') ?? ''}` : english),
    };
  };
}
