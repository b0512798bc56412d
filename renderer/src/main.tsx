import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n';
import './theme.css';
import './styles.css';
import { App } from './app';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
