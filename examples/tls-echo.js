// A TLS echo server on the core: the certificate and key files are re-read on SIGHUP, without a
// restart (connections already open keep the certificate they were made with).
const { readFileSync } = require('node:fs');
const { serve } = require('@nevio/core');

async function main(addr = 'tls://127.0.0.1:5443', certFile = 'cert.pem', keyFile = 'key.pem') {
  const tlsFiles = () => ({ cert: readFileSync(certFile), key: readFileSync(keyFile), alpn: ['echo'] });
  const server = await serve(
    {
      opened: (conn) => `hello ${conn.tls.protocol} ${conn.tls.cipher}\n`,
      react: (conn, data) => data,
    },
    addr,
    { tls: tlsFiles() },
  );
  process.on('SIGHUP', () => server.reloadTls(tlsFiles()).catch((err) => console.error('reload failed:', err.message)));
  console.log(`tls echo on ${server.addrs.join(', ')}`);
  return server;
}

module.exports = { main };
if (require.main === module) {
  main(...process.argv.slice(2)).then((server) => process.once('SIGINT', () => server.stop()));
}
