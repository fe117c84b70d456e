// The DNS cross-checks: DoH for every host the browser could not resolve or resolved to a bogon.
import { dnsYield } from '../../core/check-fold';
import { planDns } from '../../core/check-plan';
import { GRACE_MS, PHASE_SLACK_MS, type ProbeDeadlines } from '../../core/deadlines';
import type { PoolTask } from '../../core/pool';
import type { DnsCheck } from '../../core/report';
import { runInPool, type RunContext } from './context';

export async function runDnsPass(ctx: RunContext, deadlines: ProbeDeadlines): Promise<void> {
  const allow = { allow: ctx.options.bogonAllow };
  const groups = planDns(ctx.catalog, ctx.observations().http, allow);
  if (groups.length === 0) return;
  const tasks: PoolTask<DnsCheck | null>[] = groups.map(({ group }) => ({
    deadlineMs: deadlines.dnsMs + GRACE_MS,
    run: async (signal) => {
      const [first] = group;
      if (!first) return null;
      return ctx.deps.dnsCheck(first.target, first.result, deadlines.dnsMs, signal);
    },
  }));
  await runInPool(ctx, tasks, deadlines.dnsMs + GRACE_MS + PHASE_SLACK_MS, (index, outcome) => {
    const task = groups[index];
    if (!task) return;
    const { results, problem } = dnsYield(task, outcome, allow);
    if (problem !== undefined) ctx.warn(problem.message, problem.error);
    if (results.length > 0) ctx.record({ dns: results });
  });
}
