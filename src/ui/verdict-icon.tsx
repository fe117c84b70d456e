// The icon that goes with a verdict; always beside the verdict's words, never the only signal.
import type { Verdict } from '../core/report';

/** Each icon is a shape (circle, triangle) and a mark drawn on it. */
const SHAPES: Record<Verdict | 'pending', string> = {
  works: 'M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20Z',
  degraded: 'M12 3 2.5 20.5h19Z',
  blocked: 'M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20Z',
  unknown: 'M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20Z',
  pending: 'M12 3a9 9 0 1 0 9 9',
};

const MARKS: Record<Verdict | 'pending', string> = {
  works: 'M7 12.5l3.2 3.2L17 9',
  degraded: 'M12 10v4.5M12 17.5v.1',
  blocked: 'M8.5 8.5l7 7M15.5 8.5l-7 7',
  unknown: 'M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .9-1 1.7v.3M12 17.3v.1',
  pending: '',
};

/**
 * A tested verdict is solid; one judged only from general tests is an outline with a dashed edge,
 * so "probably works" never looks like the "works" that was seen.
 */
export function VerdictIcon({ verdict, size = 20, guessed = false }: { verdict: Verdict | 'pending'; size?: number; guessed?: boolean }) {
  const solid = !guessed && verdict !== 'pending';
  return (
    <svg
      class={`verdict-icon verdict-icon--${verdict}${guessed ? ' verdict-icon--guessed' : ''}`}
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
      <path d={SHAPES[verdict]} fill={solid ? 'currentColor' : 'none'} stroke-dasharray={guessed ? '3 2.5' : undefined} />
      {MARKS[verdict] !== '' && <path d={MARKS[verdict]} class={solid ? 'verdict-icon__mark--solid' : undefined} />}
    </svg>
  );
}
