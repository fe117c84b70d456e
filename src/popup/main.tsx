// Popup entry point (placeholder until the popup UI lands).
import { render } from 'preact';
import browser from 'webextension-polyfill';

function Popup() {
  return <h1>{browser.i18n.getMessage('appName')}</h1>;
}

const root = document.getElementById('app');
if (root) render(<Popup />, root);
