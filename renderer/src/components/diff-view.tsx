/** A unified diff with added and removed lines marked (by colour and by their + / - sign). */
export function DiffView({ diff, label }: { diff: string; label: string }) {
  const lines = diff.split('\n').filter((l) => !l.startsWith('===') && !l.startsWith('Index:'));
  return (
    <pre className="diff" aria-label={label} tabIndex={0}>
      {lines.map((line, i) => {
        const kind = line.startsWith('+++') || line.startsWith('---') ? 'file' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : 'ctx';
        return (
          <div key={i} className={`diff-${kind}`}>
            {line || ' '}
          </div>
        );
      })}
    </pre>
  );
}
