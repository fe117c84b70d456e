// Settings edited on a page (options, welcome): each change saved at once, a new language applied in place.
import { useState } from 'preact/hooks';
import type { Settings } from '../core/settings';
import { errorText } from '../core/error-text';
import { applyToDocument, loadI18n, type I18n } from '../ui/i18n';
import type { MessageKey } from '../ui/message-format';
import { saveSettings } from '../ui/settings-store';

export type SaveState = { kind: 'idle' } | { kind: 'saved' } | { kind: 'error'; message: string };

export function useSettingsEditor(initialSettings: Settings, initialI18n: I18n, titleKey: MessageKey) {
  const [settings, setSettings] = useState(initialSettings);
  const [i18n, setI18n] = useState(initialI18n);
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });

  const update = async (next: Settings): Promise<void> => {
    setSettings(next);
    try {
      await saveSettings(next);
      setSave({ kind: 'saved' });
    } catch (error) {
      setSave({ kind: 'error', message: errorText(error) });
    }
    if (next.language !== settings.language) {
      const loaded = await loadI18n(next.language);
      applyToDocument(loaded, titleKey);
      setI18n(loaded);
    }
  };
  return { settings, i18n, save, update };
}
