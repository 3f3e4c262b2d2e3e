// The options of the TLS peers: --port P --cert F --key F (PEM files the bench generated).
const fs = require('node:fs');
const { portFromArgs } = require('./args');

exports.tlsArgs = function tlsArgs(argv) {
  const file = (flag) => {
    const i = argv.indexOf(flag);
    if (i < 0 || !argv[i + 1]) {
      console.error('usage: node <peer>.js --port P --cert cert.pem --key key.pem');
      process.exit(2);
    }
    return fs.readFileSync(argv[i + 1]);
  };
  return { port: portFromArgs(argv), cert: file('--cert'), key: file('--key') };
};
