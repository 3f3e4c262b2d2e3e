// LMPOP/BLMPOP and the list argument edge cases, byte for byte against redis-server (RESP2 and
// RESP3): errors in Redis's order and texts, replies of every shape, MULTI's non-blocking forms.
import { itMatchesInBothProtocols, useRig } from './diff';

const ctx = useRig();

const MPOP = `
flushall
lmpop
lmpop 1
lmpop 1 l
lmpop 0 l left
lmpop a l left
lmpop -1 l right
lmpop 9223372036854775807 l left
lmpop 99999999999999999999 l left
lmpop 1 l bad_where
lmpop 1 l left bar_arg
lmpop 1 l right left
lmpop 1 l count
lmpop 1 l left count
lmpop 1 l left count 1 count 2
lmpop 2 l l2 bad_arg
lmpop 1 l left count 0
lmpop 1 l right count a
lmpop 1 l left count -1
lmpop 2 l l2 right count -1
lmpop 1 l left count 99999999999999999999
lmpop 3 l left
lmpop 1 nokey left
lmpop 2 nokey nokey2 right count 10
rpush l a b c d e f
lmpop 2 l l left count 2
lmpop 2 l l right count 2
llen l
lmpop 1 l LEFT COUNT 9223372036854775807
exists l
rpush l2 1 2 3 4 5
lmpop 2 l l2 right count 1
lmpop 2 l l2 left
lmpop 2 l l2 left count 10
exists l2
set str v
lmpop 1 str left
lmpop 2 nokey str left
rpush l x
lmpop 2 l str left
lmpop 2 str l left
blmpop
blmpop 0 1 l
blmpop 0 0 l left
blmpop x 1 l left
blmpop -1 1 l left
blmpop 0.01 1 l bad
blmpop 0.01 1 l left count 0
blmpop -1 1 l left count 0
blmpop -1 1 nokey left
blmpop 1e30 1 nokey left
blmpop inf 1 nokey left
blmpop 0.01 1 str left
blmpop 0.01 2 nokey str left
rpush l p q r
blmpop 0 1 l right count 2
blmpop 0 2 nokey l left count 5
blmpop 0.01 2 nokey l left count 5
multi
blmpop 0 1 nokey left
lmpop 1 nokey left
blmove nokey dst left right 0
brpoplpush nokey dst 0
blpop nokey 0
rpush nokey v
blmpop 0 1 nokey left count 3
exec
del l
rpush l a b c 1 2 3 c c
lpos l c count x
lpos l c maxlen x
lpos l c rank 9223372036854775807
lpos l c rank -9223372036854775807 count 0
lpos l c count 9223372036854775807 maxlen 9223372036854775807
lrange l 9223372036854775807 -9223372036854775808
lrange l -9223372036854775808 9223372036854775807
ltrim l -9223372036854775808 9223372036854775807
lindex l -9223372036854775808
lset l 9223372036854775807 x
lrem l -9223372036854775808 c
lrange l 0 -1
lset nokey x z
lindex nokey x
lset str x z
lindex str x
lindex l x
lset l x z
rpush one v
lmove one one left right
lrange one 0 -1
blpop nokey 0.0001
blpop nokey 0.0000000001
blpop nokey -0.9
blpop nokey 9223372036854775.808
blpop nokey 9223372036854776
blmpop 1e-400 1 nokey left
brpoplpush nokey dst 0.0001
blmove nokey dst left left -0.001x
`;

describe('LMPOP, BLMPOP and list edge cases match redis-server byte for byte', () => {
  jest.setTimeout(30000);

  itMatchesInBothProtocols(ctx, MPOP);
});
