// Reads and writes the user's settings in browser.storage.local, always through the settings schema.
import { browser } from './extension-api';
import { STORAGE_KEYS } from '../core/messages';
import { parseSettings, type Settings } from '../core/settings';

export async function loadSettings(): Promise<Settings> {
  const stored = await browser.storage.local.get(STORAGE_KEYS.settings);
  return parseSettings(stored[STORAGE_KEYS.settings]);
}

export async function saveSettings(settings: Settings): Promise<void> {
  await browser.storage.local.set({ [STORAGE_KEYS.settings]: settings });
}
