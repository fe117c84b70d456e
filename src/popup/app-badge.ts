// The initial badge that stands in for an app icon: a letter and a colour that stays the same for an app.

export const BADGE_HUES = 8;

/** A stable hash of the id picks one of the badge colours, so WhatsApp is always the same colour. */
export function badgeHue(appId: string): number {
  let hash = 0;
  for (const char of appId) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return hash % BADGE_HUES;
}

/** The first letter (not a lone surrogate half, not punctuation), upper-cased. */
export function initialOf(name: string): string {
  const letter = [...name].find((char) => /\p{L}|\p{N}/u.test(char));
  return (letter ?? '?').toLocaleUpperCase();
}
