// The name the person gives the network a finished check ran on ("Home Wi-Fi"): shown, given or changed, saved by the background on this device only.
import { useEffect, useRef, useState } from 'preact/hooks';
import { NETWORK_LABEL_MAX_LENGTH, readNetworkLabel, type NetworkLabelProblem } from '../core/network-label';
import { suggestedNetworkLabel } from '../core/network-label-history';
import type { Report } from '../core/report';
import { ask } from '../ui/ask';
import { isolate } from '../ui/bidi';
import { useI18n } from '../ui/i18n-context';
import { TechnicalDetails } from './technical-details';

type Trouble = { kind: 'invalid'; problem: NetworkLabelProblem } | { kind: 'save'; message: string } | null;

const FIELD_ID = 'network-name';

/** Rendered with a key per check, so each check starts with its own state. */
export function NetworkName({ report, onSaved }: { report: Report; onSaved(report: Report): void }) {
  const { t, format } = useI18n();
  const label = report.networkLabel;
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(label ?? '');
  const [suggested, setSuggested] = useState(false);
  const [trouble, setTrouble] = useState<Trouble>(null);
  const [saving, setSaving] = useState(false);
  const [status, setStatus] = useState('');
  const field = useRef<HTMLInputElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const focusOpener = useRef(false);
  const offered = useRef(false);

  // Offered only where the browser tells the kind of link (network-label.ts says why); the history is asked for only then.
  useEffect(() => {
    if (offered.current || label !== undefined || report.connection === undefined) return;
    offered.current = true;
    let live = true;
    void ask({ type: 'getHistory' }).then((answer) => {
      const offer = answer.ok ? suggestedNetworkLabel(report, answer.value.reports) : undefined;
      if (!live || offer === undefined) return;
      setValue((typed) => (typed === '' ? offer : typed));
      setSuggested(true);
      setEditing(true);
    });
    return () => {
      live = false;
    };
    // Once per check: the same check's copies differ only in their name, and a name just removed is not offered back.
  }, [report.id, label]);

  useEffect(() => {
    if (editing && !suggested) field.current?.focus();
    if (!editing && focusOpener.current) {
      focusOpener.current = false;
      opener.current?.focus();
    }
  }, [editing, suggested]);

  const open = (): void => {
    setValue(label ?? '');
    setSuggested(false);
    setTrouble(null);
    setStatus('');
    setEditing(true);
  };
  const close = (): void => {
    focusOpener.current = true;
    setTrouble(null);
    setEditing(false);
  };
  const save = async (event: Event): Promise<void> => {
    event.preventDefault();
    const input = readNetworkLabel(value);
    // What was typed stays in the field until it is saved: a refused name loses nothing.
    if (!input.ok) {
      setTrouble({ kind: 'invalid', problem: input.problem });
      field.current?.focus();
      return;
    }
    setSaving(true);
    const answer = await ask({ type: 'setNetworkLabel', reportId: report.id, label: input.label ?? '' });
    setSaving(false);
    if (!answer.ok) {
      setTrouble({ kind: 'save', message: answer.error });
      return;
    }
    setStatus(t(input.label === undefined ? 'network_name_removed' : 'network_name_saved'));
    close();
    onSaved(answer.value.report);
  };

  const errorText =
    trouble?.kind === 'invalid'
      ? trouble.problem === 'too_long'
        ? t('network_name_too_long', format.number(NETWORK_LABEL_MAX_LENGTH))
        : t('network_name_control')
      : null;
  const link = report.connection === undefined ? '' : t(`connection_${report.connection.type}_link`);

  return (
    <div class="network-name">
      {editing ? (
        <form class="network-name__form" onSubmit={(event) => void save(event)} onKeyDown={(event) => event.key === 'Escape' && close()}>
          <label for={FIELD_ID}>{t('network_name_field')}</label>
          <p id="network-name-hint" class="muted small">
            {suggested ? t('network_name_suggested', link) : t('network_name_hint')}
          </p>
          <div class="network-name__row">
            <input
              id={FIELD_ID}
              ref={field}
              type="text"
              dir="auto"
              autocomplete="off"
              maxLength={NETWORK_LABEL_MAX_LENGTH}
              value={value}
              aria-invalid={errorText !== null}
              aria-describedby={errorText === null ? 'network-name-hint' : 'network-name-hint network-name-error'}
              onInput={(event) => {
                setValue(event.currentTarget.value);
                setTrouble(null);
              }}
            />
            <button type="submit" class="button button--small" disabled={saving}>
              {t('network_name_save')}
            </button>
            <button type="button" class="button button--small" onClick={close}>
              {t('network_name_cancel')}
            </button>
          </div>
          {errorText !== null && (
            <p id="network-name-error" class="network-name__error" role="alert">
              {errorText}
            </p>
          )}
          {trouble?.kind === 'save' && (
            <div role="alert" class="error">
              <p>{t('network_name_save_error')}</p>
              <TechnicalDetails text={trouble.message} />
            </div>
          )}
        </form>
      ) : label === undefined ? (
        <button type="button" class="link-button" ref={opener} onClick={open}>
          {t('network_name_button')}
        </button>
      ) : (
        <p class="network-name__shown">
          <span id="network-name-shown">{t('network_name_shown', isolate(label))}</span>{' '}
          <button type="button" class="link-button" ref={opener} aria-describedby="network-name-shown" onClick={open}>
            {t('network_name_rename')}
          </button>
        </p>
      )}
      <p role="status" class="visually-hidden">
        {status}
      </p>
    </div>
  );
}
