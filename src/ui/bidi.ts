// Text the person typed, set inside a sentence of any direction without reordering it (an Arabic name in English or the reverse).

/** Wraps text in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE: what <bdi> does, usable inside a translated message. */
export function isolate(text: string): string {
  return `\u2068${text}\u2069`;
}
