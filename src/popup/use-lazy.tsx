// A component whose code is loaded the first time it is wanted, so secondary views do not weigh on the popup's first paint.
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../core/error-text';
import { useI18n } from '../ui/i18n-context';
import { TechnicalDetails } from './technical-details';

/** A chunk from the extension's own files loads in milliseconds: only a slower one earns a "Loading…". */
const LOADING_TEXT_AFTER_MS = 300;

function Loading() {
  const { t } = useI18n();
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setSlow(true), LOADING_TEXT_AFTER_MS);
    return () => clearTimeout(timer);
  }, []);
  return slow ? <p class="muted small">{t('popup_part_loading')}</p> : null;
}

/** The chunk is gone or broken, most often because the extension was updated while this window stayed open. */
function LoadFailed({ message }: { message: string }) {
  const { t } = useI18n();
  return (
    <div role="alert" class="error">
      <p>{t('popup_part_failed')}</p>
      <TechnicalDetails text={message} />
    </div>
  );
}

/**
 * Null until first wanted; then a placeholder while its code loads, the component once it has, or a plain-words
 * error if its chunk could not be loaded. Once loaded it stays, wanted or not.
 */
export function useLazy<P>(wanted: boolean, load: () => Promise<ComponentType<P>>): ComponentType<P> | null {
  const [loaded, setLoaded] = useState<{ value: ComponentType<P> } | null>(null);
  useEffect(() => {
    if (!wanted || loaded !== null) return;
    let live = true;
    load().then(
      (value) => {
        if (live) setLoaded({ value });
      },
      (error: unknown) => {
        console.warn('could not load a view:', error);
        const message = errorText(error);
        if (live) setLoaded({ value: () => <LoadFailed message={message} /> });
      },
    );
    return () => {
      live = false;
    };
    // load is a fresh closure each render and is left out on purpose: loading once, when first wanted, is the point.
  }, [wanted, loaded]);
  if (loaded !== null) return loaded.value;
  return wanted ? Loading : null;
}
