// The icon that goes with a verdict; always beside the verdict's words, never the only signal.
import type { Verdict } from '../core/report';

const PATHS: Record<Verdict | 'pending', string> = {
  works: 'M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20ZM7 12.5l3.2 3.2L17 9',
  degraded: 'M12 3 2.5 20.5h19ZM12 10v4.5M12 17.5v.1',
  blocked: 'M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20ZM8.5 8.5l7 7M15.5 8.5l-7 7',
  unknown: 'M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20ZM9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .9-1 1.7v.3M12 17.3v.1',
  pending: 'M12 3a9 9 0 1 0 9 9',
};

export function VerdictIcon({ verdict, size = 20 }: { verdict: Verdict | 'pending'; size?: number }) {
  return (
    <svg
      class={`verdict-icon verdict-icon--${verdict}`}
      viewBox="0 0 24 24"
      width={size}
      height={size}
      aria-hidden="true"
      focusable="false"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
    >
      <path d={PATHS[verdict]} />
    </svg>
  );
}
