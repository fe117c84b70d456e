// What every browser's launcher hands its caller: the extension loaded in a fresh profile, and the ways to reach it.
import type { BackgroundRequest, BackgroundResponse } from '../src/core/messages';

export interface ExtensionSession<Page> {
  /** Opens an extension page, e.g. `src/popup/index.html`. */
  openPage(path: string): Promise<Page>;
  /** Sends a request to the background from an extension page, as the popup does; an error answer throws. */
  ask<T extends BackgroundRequest>(request: T): Promise<BackgroundResponse<T['type']>>;
  /** The extension's own `storage.local`. */
  storage: {
    get(key: string): Promise<unknown>;
    set(items: Record<string, unknown>): Promise<void>;
    remove(key: string): Promise<void>;
  };
  /** The text on the toolbar button. */
  badgeText(): Promise<string>;
  /** Uncaught errors and console.error calls from the background and extension pages. */
  consoleErrors: string[];
  /** How long the browser took to start with the extension running, in ms. */
  startupMs: number;
  close(): Promise<void>;
}
