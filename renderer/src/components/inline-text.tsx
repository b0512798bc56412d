import { Fragment } from 'react';

/**
 * A sentence of the catalogue or the knowledge base in which `back-quoted`
 * parts are literal text (an option such as `win:autoResize=yes`, a line a
 * log prints): shown as code, never translated.
 */
export function InlineText({ text }: { text: string }) {
  const parts = text.split('`');
  // An odd count of back-quotes: show the text as written rather than guess.
  if (parts.length % 2 === 0) return <>{text}</>;
  return (
    <>
      {parts.map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : <Fragment key={i}>{part}</Fragment>))}
    </>
  );
}
