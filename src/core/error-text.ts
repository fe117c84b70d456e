// The words of anything thrown: an Error's message, or whatever else was thrown as a string.
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
