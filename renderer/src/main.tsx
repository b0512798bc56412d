import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { i18nReady } from './i18n';
import './theme.css';
import './styles.css';
import { App } from './app';

const root = document.getElementById('root');

function render(into: HTMLElement): void {
  createRoot(into).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

// Rendered once the first language's catalogue is in (no flash of English).
if (root) void i18nReady.then(() => render(root));
