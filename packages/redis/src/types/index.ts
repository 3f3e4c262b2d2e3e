/**
 * The data types' entry point: every list/hash/set/sorted-set command and the types' keyspace
 * hooks. The command table (`commands/index.ts`) adds `typeCommands` to its own commands and the
 * server uses `typeOps` for COPY, OBJECT ENCODING, memory accounting and AOF rewrites.
 *
 * @packageDocumentation
 */
import type { CommandDef, TypeOpsTable } from '../command';

export const typeCommands: CommandDef[] = [];

export const typeOps: TypeOpsTable = {};
