// Loads the crowd view once per popup: the collector's counts for this network, or null (sharing off, unknown network, collector down).
import { useEffect, useState } from 'preact/hooks';
import type { CrowdStats } from '../core/crowd';
import { ask } from '../ui/ask';

export function useCrowd(): CrowdStats | null {
  const [stats, setStats] = useState<CrowdStats | null>(null);
  useEffect(() => {
    let live = true;
    // A collector that is down only means no crowd line: the popup's own answer never waits for it.
    void ask({ type: 'getCrowdStats' }).then((answer) => {
      if (live && answer.ok) setStats(answer.value.stats);
    });
    return () => {
      live = false;
    };
  }, []);
  return stats;
}
