// Background entry point: registers every listener at the top level and hands messages to the router.
import browser from 'webextension-polyfill';
import { createRouter } from './router';
import { handlers } from './handlers';
import { installWebRequestObserver } from './web-request-observer';

installWebRequestObserver();

const route = createRouter(handlers);
browser.runtime.onMessage.addListener((message: unknown) => route(message));
