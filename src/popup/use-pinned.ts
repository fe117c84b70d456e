// The pinned apps as popup state: pinning from a row saves at once, over the settings as stored now.
import { useCallback, useState } from 'preact/hooks';
import { loadSettings, saveSettings } from '../ui/settings-store';

export function usePinned(initial: readonly string[]): { pinned: readonly string[]; toggle(appId: string): void } {
  const [pinned, setPinned] = useState<readonly string[]>(initial);
  const toggle = useCallback(
    (appId: string) => {
      const next = pinned.includes(appId) ? pinned.filter((id) => id !== appId) : [...pinned, appId];
      setPinned(next);
      // Read-modify-write of the stored settings, so a change made meanwhile in the options page is kept.
      loadSettings()
        .then((settings) => saveSettings({ ...settings, pinnedApps: next }))
        .catch((error: unknown) => console.warn('could not save the pinned apps:', error));
    },
    [pinned],
  );
  return { pinned, toggle };
}
