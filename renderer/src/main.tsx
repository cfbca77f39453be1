import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
// The theme first: the styles beside each view and component come after it and build on its tokens.
import './theme.css';
import { App } from './App.tsx';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
