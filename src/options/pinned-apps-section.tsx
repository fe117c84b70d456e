// Which apps the popup lists first: one checkbox per catalog app.
import type { App } from '../core/catalog';
import { useI18n } from '../ui/i18n-context';

export function PinnedAppsSection({ apps, pinned, onChange }: {
  apps: readonly App[];
  pinned: readonly string[];
  onChange(pinned: string[]): void;
}) {
  const { t } = useI18n();
  const toggle = (id: string, on: boolean): void => {
    // Ids the catalog no longer has are kept: a later catalog may bring the app back.
    onChange(on ? [...pinned.filter((p) => p !== id), id] : pinned.filter((p) => p !== id));
  };
  return (
    <section aria-labelledby="pinned-heading">
      <h2 id="pinned-heading">{t('pinned_heading')}</h2>
      <fieldset class="checkbox-grid">
        <legend>{t('pinned_help')}</legend>
        {apps.map((app) => (
          <label key={app.id}>
            <input type="checkbox" checked={pinned.includes(app.id)} onChange={(event) => toggle(app.id, event.currentTarget.checked)} />
            <span>{app.name}</span>
          </label>
        ))}
      </fieldset>
    </section>
  );
}
