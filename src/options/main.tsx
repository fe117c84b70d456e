// Options page entry point (placeholder until the options UI lands).
import { render } from 'preact';
import browser from 'webextension-polyfill';

function Options() {
  return <h1>{browser.i18n.getMessage('appName')}</h1>;
}

const root = document.getElementById('app');
if (root) render(<Options />, root);
