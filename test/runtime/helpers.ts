// Shared by the runtime tests: temp FAULTLINE_HOME and run folders, docker detection (tests fail
// when FAULTLINE_REQUIRE_DOCKER=1 and no daemon answers, else skip visibly), cluster polling, and
// the partition-the-leader scenario both runtimes must pass.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { dockerAnswers } from '../../src/runtime/docker.js';
import { newRunId } from '../../src/runtime/common.js';
import { isolate } from '../../nemeses/grudge.js';
import { leaderOf, statuses, storeDb } from '../../src/db/store.js';
import { need, pollUntil, progress, type ClusterSpec, type NodeHandle, type Runtime } from '../../src/runtime/types.js';
import { StoreClient } from '../../src/store/client.js';
import { compose } from '../../nemeses/index.js';
import { findLeader } from '../../src/db/store.js';
import { schedule, type Fault } from '../../nemeses/schedule.js';
import type { NemesisContext } from '../../nemeses/types.js';
import type { Op } from '../../src/core/op.js';
import { healAll } from '../../src/runtime/guard.js';
import { createRng } from '../../src/core/rng.js';

/** Every test file gets its own FAULTLINE_HOME (pid files, cluster.json), removed after its tests. */
export function useTempHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'faultline-home-'));
  process.env.FAULTLINE_HOME = home;
  test.after.always(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

export function newSpec(nodeCount = 3, o: Partial<ClusterSpec> = {}): ClusterSpec {
  const runId = newRunId();
  return { runId, db: storeDb('raft'), nodeCount, runDir: mkdtempSync(join(tmpdir(), `faultline-${runId}-`)), ...o };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Whether docker tests run here: true, or false after saying why (and failing when docker is required). */
export async function dockerMode(): Promise<{ available: boolean; required: boolean }> {
  return { available: await dockerAnswers(3000), required: process.env.FAULTLINE_REQUIRE_DOCKER === '1' };
}

export const p = (timeoutMs = 60_000) => progress(timeoutMs, () => {});

export function clientFor(nodes: readonly NodeHandle[], timeoutMs = 1500): StoreClient {
  return new StoreClient({ nodes: Object.fromEntries(nodes.map((n) => [n.name, n.clientAddr])), timeoutMs });
}

export async function waitLeader(nodes: readonly NodeHandle[], timeoutMs = 20_000, not?: string): Promise<string> {
  return pollUntil('a leader', async () => {
    const l = leaderOf(await statuses(nodes, 500));
    return l !== undefined && l !== not ? l : undefined;
  }, AbortSignal.timeout(timeoutMs), 100);
}

/** Polls until every node answers with the same term and leader and the same commit index. */
export async function waitConverged(nodes: readonly NodeHandle[], timeoutMs = 20_000): Promise<{ leader: string; term: number; commitIndex: number }> {
  return pollUntil('all nodes to converge', async () => {
    const st = await statuses(nodes, 500);
    if (st.size !== nodes.length) return undefined;
    const all = [...st.values()];
    const first = all[0]!;
    const leader = leaderOf(st);
    const same = all.every((s) => s.term === first.term && s.leader === leader && s.commitIndex === first.commitIndex);
    return same && leader ? { leader, term: first.term, commitIndex: first.commitIndex } : undefined;
  }, AbortSignal.timeout(timeoutMs), 150);
}

/** Puts until one is acknowledged (elections may be under way); returns the ok'ing node. */
export async function putUntilOk(c: StoreClient, key: string, value: unknown, timeoutMs = 15_000): Promise<string> {
  return pollUntil(`put ${key}`, async () => {
    const o = await c.put(key, value);
    return o.type === 'ok' ? o.node : undefined;
  }, AbortSignal.timeout(timeoutMs), 100);
}

/**
 * Partition the leader away: the majority elects a new leader and commits; the isolated old
 * leader cannot commit; after heal every node converges and sees the majority's write.
 */
export async function partitionLeaderScenario(t: ExecutionContext, runtime: Runtime, nodes: NodeHandle[]): Promise<void> {
  const names = nodes.map((n) => n.name);
  const all = clientFor(nodes);
  await putUntilOk(all, 'before', 1);
  const oldLeader = await waitLeader(nodes);
  const rules = await need(runtime, 'partition').partition(isolate(names, oldLeader), p());
  t.true(rules.length > 0, 'partition applied no rules');
  const majority = nodes.filter((n) => n.name !== oldLeader);
  const isolated = nodes.filter((n) => n.name === oldLeader);

  const started = Date.now();
  const newLeader = await waitLeader(majority, 20_000, oldLeader);
  t.log(`partition -> new leader ${newLeader} in ${Date.now() - started} ms (old: ${oldLeader})`);
  t.not(newLeader, oldLeader);
  const majorityClient = clientFor(majority);
  await putUntilOk(majorityClient, 'during', 'majority');
  const newTerm = (await statuses(majority, 1000)).get(newLeader)!.term;

  const lonely = clientFor(isolated, 1000);
  for (let i = 0; i < 3; i++) {
    const o = await lonely.put('during', 'minority');
    t.not(o.type, 'ok', `the isolated node acknowledged a write: ${JSON.stringify(o)}`);
  }
  await lonely.close();

  await runtime.heal(p());
  const converged = await waitConverged(nodes);
  t.true(converged.term >= newTerm);
  const fromOld = new StoreClient({ nodes: Object.fromEntries(nodes.map((n) => [n.name, n.clientAddr])), timeoutMs: 3000, prefer: oldLeader });
  const read = await pollUntil('read after heal', async () => {
    const o = await fromOld.get('during');
    return o.type === 'ok' ? o : undefined;
  }, AbortSignal.timeout(15_000));
  t.is(read.value, 'majority');
  await Promise.all([all.close(), majorityClient.close(), fromOld.close()]);
}

/**
 * Runs a seeded schedule of `faults` for real through the composed nemesis, checks every op completes
 * as info (process nemesis) without error, heals everything, and checks the cluster converges and
 * accepts a write.
 */
export async function runScheduleScenario(t: ExecutionContext, rt: Runtime, nodes: NodeHandle[], faults: Fault[], seed = 42): Promise<void> {
  const ops = schedule({ faults, nodes: nodes.map((n) => n.name), intervalMs: 250, durationMs: 6000, seed, clockOffsetMsMax: 30_000 });
  const nemesis = compose();
  const ctx: NemesisContext = { runtime: rt, nodes, rng: createRng(seed), findLeader: () => findLeader(nodes, 300), progress: progress(20_000) };
  const history: Op[] = [];
  const started = Date.now();
  for (const [i, s] of ops.entries()) {
    const wait = started + s.atMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const invoke: Op = { index: 2 * i, type: 'invoke', process: 'nemesis', f: s.f, value: s.value, timeNs: (Date.now() - started) * 1e6 };
    history.push(invoke);
    const done = await nemesis.invoke({ ...ctx, progress: progress(20_000) }, invoke);
    history.push({ ...done, index: 2 * i + 1, timeNs: (Date.now() - started) * 1e6 });
  }
  const completions = history.filter((o) => o.type !== 'invoke');
  t.is(completions.length, ops.length);
  t.true(completions.every((o) => o.type === 'info' && o.process === 'nemesis'));
  const fs = new Set(completions.map((o) => o.f));
  t.true(fs.size >= Math.min(6, faults.length + 2), `only ${[...fs].join(', ')} were exercised`);
  const errors = completions.filter((o) => o.error && !/no leader/.test(o.error));
  t.deepEqual(errors.map((o) => `${o.f}: ${o.error}`), []);
  t.log(completions.map((o) => `${o.f} ${JSON.stringify(o.value).slice(0, 140)}`).join('\n'));
  await healAll(rt, { keepUp: true, healNemeses: (p) => nemesis.heal({ ...ctx, progress: p }) });
  await waitConverged(nodes, 30_000);
  const c = clientFor(nodes);
  await putUntilOk(c, 'after-schedule', 1);
  await c.close();
}
