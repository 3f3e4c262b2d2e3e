// The one option the peer servers take: --port P (0 lets the kernel pick).
exports.portFromArgs = function portFromArgs(argv) {
  const i = argv.indexOf('--port');
  const port = i >= 0 ? Number(argv[i + 1]) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('usage: node <peer>.js --port P');
    process.exit(2);
  }
  return port;
};
