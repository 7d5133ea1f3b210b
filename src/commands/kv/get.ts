// `faultline kv get KEY`: reads a key from the running cluster (a linearizable read via the leader).

import { Args } from '@oclif/core';
import { FaultlineCommand } from '../../cli/base.js';
import { exitCodeOf, kvResult, withClusterClient, type KvResult } from '../../runtime/kv-cli.js';

export default class KvGet extends FaultlineCommand {
  static override summary = 'Read a key from the running cluster.';
  static override description = 'Prints the value as JSON (null when the key is absent). Exit 0 on success, 1 when the read definitely failed, 2 when its outcome is unknown (timeout).';
  static override examples = ['<%= config.bin %> kv get x', '<%= config.bin %> kv get x --json'];
  static override enableJsonFlag = true;
  static override args = { key: Args.string({ description: 'The key.', required: true }) };

  async run(): Promise<KvResult> {
    const { args } = await this.parse(KvGet);
    const o = await withClusterClient((c) => c.get(args.key));
    if (o.type === 'ok') this.say(JSON.stringify(o.value ?? null));
    else this.note(`get ${args.key}: ${o.type} (${o.error})`);
    process.exitCode = exitCodeOf(o);
    return kvResult(o);
  }
}
