/** Small line icons (24×24, currentColor), always beside a word: they never carry meaning alone. */
const PATHS = {
  dashboard: 'M4 4h7v7H4zM13 4h7v4h-7zM13 10h7v10h-7zM4 13h7v7H4z',
  host: 'M4 5h16v10H4zM9 19h6M12 15v4',
  vm: 'M3 6h18v12H3zM3 9h18M7 13h4',
  gpu: 'M3 7h16v9H3zM19 10h2M7 16v3M11 16v3M15 16v3M9 11.5a2 2 0 1 0 .01 0M15 11.5a2 2 0 1 0 .01 0',
  troubleshoot: 'M14.5 4.5a4 4 0 0 0-5 5L4 15l2 2 5.5-5.5a4 4 0 0 0 5-5l-2.5 2.5-2-2z',
  settings: 'M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6zM12 3v3M12 18v3M3 12h3M18 12h3M5.6 5.6l2.1 2.1M16.3 16.3l2.1 2.1M5.6 18.4l2.1-2.1M16.3 7.7l2.1-2.1',
  setup: 'M5 12l4 4 10-10',
  machines: 'M3 5h18v9H3zM3 8h18M6 18h12M9 14v4M15 14v4',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg className="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
      <path d={PATHS[name]} />
    </svg>
  );
}
