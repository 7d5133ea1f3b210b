// `faultline kv cas KEY FROM TO`: compare-and-set on the running cluster.

import { Args } from '@oclif/core';
import { FaultlineCommand } from '../../cli/base.js';
import { exitCodeOf, kvResult, parseValue, withClusterClient, type KvResult } from '../../runtime/kv-cli.js';

export default class KvCas extends FaultlineCommand {
  static override summary = 'Compare-and-set a key on the running cluster.';
  static override description = 'Sets KEY to TO if it currently holds FROM (both parsed as JSON when they parse, else strings). Exit 0 when it was set, 1 when the value did not match (or the op definitely failed), 2 when its outcome is unknown.';
  static override examples = ['<%= config.bin %> kv cas x 1 2', '<%= config.bin %> kv cas name alice bob --json'];
  static override enableJsonFlag = true;
  static override args = {
    key: Args.string({ description: 'The key.', required: true }),
    from: Args.string({ description: 'Expected current value.', required: true }),
    to: Args.string({ description: 'New value.', required: true }),
  };

  async run(): Promise<KvResult> {
    const { args } = await this.parse(KvCas);
    const o = await withClusterClient((c) => c.cas(args.key, parseValue(args.from), parseValue(args.to)));
    if (o.type === 'ok') this.say('ok');
    else this.note(o.type === 'fail' && o.error === 'cas-mismatch' ? `cas ${args.key}: current value is not ${args.from}` : `cas ${args.key}: ${o.type} (${o.error})`);
    process.exitCode = exitCodeOf(o);
    return kvResult(o);
  }
}
