// The shape of a schema migration: applied once, in version order, inside the startup transaction.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Checks the applied versions against the known ones and returns those still to apply. */
export function pendingMigrations(known: readonly Migration[], applied: readonly number[]): Migration[] {
  const newest = Math.max(0, ...known.map((m) => m.version));
  const ahead = applied.filter((v) => v > newest);
  // A database migrated by a newer release may hold data this code would misread: refuse rather than guess.
  if (ahead.length > 0) throw new Error(`database schema version ${Math.max(...ahead)} is newer than this collector (${newest})`);
  const done = new Set(applied);
  return known.filter((m) => !done.has(m.version)).sort((a, b) => a.version - b.version);
}
