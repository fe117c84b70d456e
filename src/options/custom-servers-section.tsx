// The user's own STUN/TURN servers: a list with remove buttons and a validated add form.
import { useState } from 'preact/hooks';
import type { CustomServer } from '../core/settings';
import { useI18n } from '../ui/i18n-context';
import { validateCustomServer, type ServerFormErrors } from './custom-server-form';

export function CustomServersSection({ servers, onChange }: { servers: readonly CustomServer[]; onChange(servers: CustomServer[]): void }) {
  const { t } = useI18n();
  const [url, setUrl] = useState('');
  const [label, setLabel] = useState('');
  const [errors, setErrors] = useState<ServerFormErrors>({});

  const add = (event: Event): void => {
    event.preventDefault();
    const result = validateCustomServer(url, label, servers);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    setUrl('');
    setLabel('');
    onChange([...servers, result.server]);
  };

  return (
    <section aria-labelledby="custom-heading">
      <h2 id="custom-heading">{t('custom_heading')}</h2>
      <p>{t('custom_help')}</p>
      {servers.length === 0 ? (
        <p class="muted">{t('custom_none')}</p>
      ) : (
        <ul class="server-list">
          {servers.map((server) => (
            <li key={server.url}>
              <span class="server-list__text">
                {server.label !== '' && <strong>{server.label}</strong>}
                <code dir="ltr">{server.url}</code>
              </span>
              <button
                type="button"
                class="button button--small"
                onClick={() => onChange(servers.filter((other) => other.url !== server.url))}
              >
                {t('custom_remove', server.label === '' ? server.url : server.label)}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form class="server-form" onSubmit={add} noValidate>
        <div class="field">
          <label for="server-url">{t('custom_url')}</label>
          <input
            id="server-url"
            type="text"
            dir="ltr"
            spellcheck={false}
            autocomplete="off"
            value={url}
            aria-invalid={errors.url !== undefined}
            aria-describedby={errors.url === undefined ? 'server-url-hint' : 'server-url-hint server-url-error'}
            onInput={(event) => setUrl(event.currentTarget.value)}
          />
          <span id="server-url-hint" class="muted small">
            {t('custom_url_hint')}
          </span>
          {errors.url !== undefined && (
            <span id="server-url-error" class="field__error" role="alert">
              {t(errors.url)}
            </span>
          )}
        </div>
        <div class="field">
          <label for="server-label">{t('custom_label')}</label>
          <input
            id="server-label"
            type="text"
            maxLength={60}
            value={label}
            aria-invalid={errors.label !== undefined}
            aria-describedby={errors.label === undefined ? undefined : 'server-label-error'}
            onInput={(event) => setLabel(event.currentTarget.value)}
          />
          {errors.label !== undefined && (
            <span id="server-label-error" class="field__error" role="alert">
              {t(errors.label)}
            </span>
          )}
        </div>
        <button type="submit" class="button">
          {t('custom_add')}
        </button>
      </form>
    </section>
  );
}
