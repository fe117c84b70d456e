// Says a headline (src/core/headline.ts) in the person's language: one sentence, then short lines for what else matters.
import type { Headline, HeadlineKind } from '../core/headline';
import type { Verdict } from '../core/report';
import type { I18n } from './i18n-create';

export interface HeadlineText {
  title: string;
  /** Further facts the title leaves out: other apps with problems, apps that could not be judged, blocks elsewhere. */
  lines: string[];
}

/** Past this many names a list says "A, B, C and 13 other apps": sixteen names are not a headline. */
const MAX_NAMES = 4;

type Say = Pick<I18n, 't' | 'plural' | 'format'>;

function namesOf(ids: readonly string[], name: (id: string) => string, say: Say): string {
  const names = ids.map(name);
  if (names.length <= MAX_NAMES) return say.format.list(names);
  const rest = names.length - (MAX_NAMES - 1);
  return say.format.list([...names.slice(0, MAX_NAMES - 1), say.plural('headline_more', rest, say.format.number(rest))]);
}

export function headlineText(headline: Headline, name: (id: string) => string, say: Say): HeadlineText {
  const { t, plural } = say;
  const names = (ids: readonly string[]) => namesOf(ids, name, say);
  const lines: string[] = [];
  const also = (kind: 'degraded' | 'unknown' | 'elsewhere'): void => {
    if (kind === 'degraded' && headline.degraded.length > 0) lines.push(t('headline_also_degraded', names(headline.degraded)));
    if (kind === 'unknown' && headline.unknown.length > 0) lines.push(t('headline_also_unknown', names(headline.unknown)));
    if (kind === 'elsewhere' && headline.elsewhere.length > 0) lines.push(t('headline_elsewhere', names(headline.elsewhere)));
  };
  let title: string;
  switch (headline.kind) {
    case 'offline':
      return { title: t('headline_offline'), lines };
    case 'portal':
      return { title: t('headline_portal'), lines };
    case 'unknown':
      title = headline.scope === 'pinned' ? t('headline_unknown_apps', names(headline.unknown)) : t('overall_unknown');
      also('elsewhere');
      return { title, lines };
    case 'blocked': {
      title = t('headline_blocked', names(headline.blocked));
      const count = headline.alternatives.length;
      if (count > 0) title = t('headline_join', title, plural('headline_alternatives', count, names(headline.alternatives)));
      also('degraded');
      also('unknown');
      also('elsewhere');
      return { title, lines };
    }
    case 'degraded': {
      const everyApp = headline.scope === 'all' && headline.works.length === 0 && headline.unknown.length === 0;
      if (headline.degradedBy === 'quality') {
        title = everyApp ? t('headline_degraded_quality_all') : plural('headline_degraded_quality', headline.degraded.length, names(headline.degraded));
      } else {
        title = t('headline_degraded_reach', names(headline.degraded));
      }
      also('unknown');
      also('elsewhere');
      return { title, lines };
    }
    case 'works': {
      // The plain "yes" only when it is the whole truth: every app, all judged, not all guessed.
      const plainYes = headline.scope === 'all' && headline.unknown.length === 0 && !headline.allGuessed;
      if (plainYes) title = t('headline_works_all');
      else if (headline.allGuessed) title = t('headline_works_guessed', names(headline.works));
      else title = t('headline_works', names(headline.works));
      also('unknown');
      also('elsewhere');
      return { title, lines };
    }
    default: {
      const unreachable: never = headline.kind;
      return unreachable;
    }
  }
}

/** The colour and icon of a headline: offline and portal say nothing about calls, so they are "unknown". */
export function toneOf(kind: HeadlineKind): Verdict {
  switch (kind) {
    case 'blocked':
    case 'degraded':
    case 'works':
    case 'unknown':
      return kind;
    case 'offline':
    case 'portal':
      return 'unknown';
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}
