/**
 * CLUSTER, READONLY, READWRITE and ASKING as a Redis without cluster mode answers them: every
 * subcommand Redis 7.0 has (arities from the docs table) replies that cluster support is
 * disabled. Clients probe them (`CLUSTER INFO`), and COMMAND lists them like redis-server.
 *
 * @packageDocumentation
 */
import { CMD_FAST, CMD_LOADING, CMD_STALE, CommandError, NOKEYS, def } from '../command';
import type { CommandDef, CommandRun } from '../command';
import { COMMAND_DOCS } from './command-docs';
import { dispatchSub, type Subcommand } from './sub';

const DISABLED = 'ERR This instance has cluster support disabled';

const disabled: CommandRun = () => {
  throw new CommandError(DISABLED);
};

function clusterSubcommands(): Record<string, Subcommand> {
  const table: Record<string, Subcommand> = {};
  for (const [name, doc] of COMMAND_DOCS.get('cluster')?.subcommands ?? []) table[name.slice('cluster|'.length)] = { arity: doc.row.arity ?? -2, run: disabled };
  return table;
}

export const clusterCommands: CommandDef[] = [
  def('cluster', -2, 0, NOKEYS, 'cluster', dispatchSub('cluster', clusterSubcommands())),
  def('readonly', 1, CMD_LOADING | CMD_STALE | CMD_FAST, NOKEYS, 'cluster', disabled),
  def('readwrite', 1, CMD_LOADING | CMD_STALE | CMD_FAST, NOKEYS, 'cluster', disabled),
  def('asking', 1, CMD_FAST, NOKEYS, 'cluster', disabled),
];
