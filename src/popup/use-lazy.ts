// A component whose code is loaded the first time it is wanted, so secondary views do not weigh on the popup's first paint.
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function useLazy<P>(wanted: boolean, load: () => Promise<ComponentType<P>>): ComponentType<P> | null {
  const [component, setComponent] = useState<{ value: ComponentType<P> } | null>(null);
  useEffect(() => {
    if (!wanted || component !== null) return;
    let live = true;
    load()
      .then((value) => {
        if (live) setComponent({ value });
      })
      .catch((error: unknown) => console.warn('could not load a view:', error));
    return () => {
      live = false;
    };
    // load is a fresh closure each render and is left out on purpose: loading once, when first wanted, is the point.
  }, [wanted, component]);
  return component?.value ?? null;
}
