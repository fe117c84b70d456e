// Structured JSON-line logging for the collector; callers pass fields, never a client address.
export type LogValue = string | number | boolean | null;
export type LogFields = Record<string, LogValue>;
export type LogLevel = 'info' | 'warn' | 'error';

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/**
 * One JSON object per line. The writer is injectable so tests can read every line the service
 * writes (and assert no client address is among them).
 */
export function createJsonLogger(
  write: (line: string) => void = (line) => process.stdout.write(line),
  now: () => Date = () => new Date(),
): Logger {
  const log = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    write(`${JSON.stringify({ ...fields, time: now().toISOString(), level, msg })}\n`);
  };
  return {
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
  };
}
