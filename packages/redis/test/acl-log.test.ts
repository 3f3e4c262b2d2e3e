// ACL LOG against redis-server 7.0: the entries (count, reason, context, object, username,
// client-info) after denied commands, keys, channels and AUTHs, at top level, in MULTI and in
// scripts; grouping of similar events, LOG <count>, RESET, acllog-max-len.
import { aclRig } from './support/acl';

jest.setTimeout(60000);

const rig = aclRig();
const { expectSame } = rig;

test('entries for commands, subcommands, keys, channels and failed AUTH', async () => {
  await expectSame(`
    acl log reset
    acl setuser antirez >foo on +set ~object:1234 +eval +multi +exec resetchannels +publish
    acl setuser demo on nopass
    b: client setname logged
    b: auth antirez foo
    b: get foo
    log acl log
    b: get foo
    b: get foo
    log acl log
    b: set somekeynotallowed 1234
    b: publish somechannelnotallowed nullmsg
    log acl log
    b: auth demo ''
    b: script help
    log acl log 1
    b: auth antirez wrong-password
    b: AUTH antirez wrong-password
    b: Auth nosuchuser x
    b: hello 2 auth antirez wrong
    log acl log
    acl log 0
    acl log -1
    log acl log 2
    acl log reset
    acl log
  `);
});

test('entries in MULTI and in scripts', async () => {
  await expectSame(`
    acl log reset
    acl setuser ctx >foo on +set +incr ~object:1234 +eval +multi +exec +discard
    b: auth ctx foo
    b: multi
    b: get foo
    b: discard
    log acl log 1
    b: multi
    b: incr object:1234
    acl setuser ctx -incr
    b: exec
    log acl log 1
    b: eval "redis.call('incr','foo')" 0
    log acl log 1
    b: eval "redis.call('set','otherkey','x')" 0
    log acl log 1
    b: multi
    b: auth ctx wrong
    b: discard
    log acl log 1
    b: auth default ''
  `);
});

test('acllog-max-len bounds the log, and a lower value trims it at the next entry', async () => {
  await expectSame(`
    acl log reset
    config set acllog-max-len 5
    acl setuser lim >foo on +set ~object:1234
    b: auth lim foo
    b: set obj:0 1
    b: set obj:1 1
    b: set obj:2 1
    b: set obj:3 1
    b: set obj:4 1
    b: set obj:5 1
    b: set obj:6 1
    log acl log
    config set acllog-max-len 2
    b: set obj:7 1
    log acl log
    config set acllog-max-len 128
    b: auth default ''
  `);
});
