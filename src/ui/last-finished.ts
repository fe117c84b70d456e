// The newest finished check in history: getState gives a running check only, so while one runs the last result is found here.
import type { Report } from '../core/report';
import { ask } from './ask';
import { newestFinished } from './report-merge';

/** The newest finished check in history, for when getState answered with a running one. */
export async function lastFinishedInHistory(): Promise<Report | null> {
  const history = await ask({ type: 'getHistory' });
  return history.ok ? newestFinished(history.value.reports) : null;
}
