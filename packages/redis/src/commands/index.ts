/**
 * The command table: the built-in families plus the data types' commands from `types/`.
 *
 * @packageDocumentation
 */
import type { CommandDef } from '../command';
import { typeCommands } from '../types';
import { aclCommands } from './acl';
import { adminCommands } from './admin';
import { bitmapCommands } from './bitmaps';
import { clusterCommands } from './cluster';
import { commandCommands } from './command-cmd';
import { configCommands } from './config';
import { connectionCommands } from './connection';
import { debugCommands } from './debug';
import { dumpCommands } from './dump';
import { saveCommands } from './save';
import { functionCommands } from './function';
import { infoCommands } from './info';
import { keyCommands } from './keys';
import { latencyCommands } from './latency';
import { lcsCommands } from './lcs';
import { memoryCommands } from './memory';
import { migrateCommands } from './migrate';
import { persistenceCommands } from './persistence';
import { replicationCommands } from './replication';
import { pubsubCommands } from './pubsub';
import { scriptingCommands } from './scripting';
import { slowlogCommands } from './slowlog';
import { sortCommands } from './sort';
import { stringCommands } from './strings';
import { transactionCommands } from './transactions';

/** Every command by name; throws when a name is defined twice. */
export function buildCommandTable(): Map<string, CommandDef> {
  const table = new Map<string, CommandDef>();
  for (const list of [connectionCommands, aclCommands, adminCommands, commandCommands, transactionCommands, keyCommands, dumpCommands, saveCommands, migrateCommands, stringCommands, bitmapCommands, lcsCommands, sortCommands, pubsubCommands, typeCommands, configCommands, debugCommands, functionCommands, scriptingCommands, slowlogCommands, latencyCommands, infoCommands, memoryCommands, persistenceCommands, clusterCommands, replicationCommands]) {
    for (const d of list) {
      if (table.has(d.name)) throw new Error(`command '${d.name}' is defined twice`);
      table.set(d.name, d);
    }
  }
  return table;
}
