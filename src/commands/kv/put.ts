// `faultline kv put KEY VALUE`: writes a key on the running cluster.

import { Args } from '@oclif/core';
import { FaultlineCommand } from '../../cli/base.js';
import { exitCodeOf, kvResult, parseValue, withClusterClient, type KvResult } from '../../runtime/kv-cli.js';

export default class KvPut extends FaultlineCommand {
  static override summary = 'Write a key on the running cluster.';
  static override description = 'VALUE is parsed as JSON when it parses (1, true, {"a":1}, "quoted"), else taken as a string. Exit 0 when the write was acknowledged, 1 when it definitely did not happen, 2 when its outcome is unknown.';
  static override examples = ['<%= config.bin %> kv put x 1', '<%= config.bin %> kv put name alice', `<%= config.bin %> kv put doc '{"a":[1,2]}'`];
  static override enableJsonFlag = true;
  static override args = {
    key: Args.string({ description: 'The key.', required: true }),
    value: Args.string({ description: 'The value (JSON or a string).', required: true }),
  };

  async run(): Promise<KvResult> {
    const { args } = await this.parse(KvPut);
    const o = await withClusterClient((c) => c.put(args.key, parseValue(args.value)));
    if (o.type === 'ok') this.say('ok');
    else this.note(`put ${args.key}: ${o.type} (${o.error})`);
    process.exitCode = exitCodeOf(o);
    return kvResult(o);
  }
}
