#!/usr/bin/env node
// An L4 proxy with its backend, as one peer of the proxy workload:
//   node proxy-pair.js --port P --proxy nevio|haproxy --backend <echo_server>
// starts the C echo server on a port of its choosing, then the proxy on P forwarding to it.
// Both are children of this process, so of its process group: the bench counts the CPU of
// the proxy and the backend, and the proxy workload's c-epoll peer (the backend alone) tells
// what the backend takes of it.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { portFromArgs } = require('./args');

const argv = process.argv;
const arg = (flag) => argv[argv.indexOf(flag) + 1];
const port = portFromArgs(argv);
const kind = arg('--proxy');
const repoRoot = path.resolve(__dirname, '../../..');
const children = [];

function stop(code) {
  for (const c of children) c.kill('SIGTERM');
  process.exit(code);
}
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));

function run(cmd, args, env) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  children.push(child);
  // Either process exiting ends the pair: a proxy without its backend measures nothing.
  child.on('exit', (code) => stop(code ?? 1));
  return child;
}

function haproxyConfig(listen, backendPort) {
  // One thread, like nevio's one loop: the bench pins the server side to one CPU.
  const cfg = [
    'global', '  nbthread 1', '  maxconn 4000',
    'defaults', '  mode tcp', '  timeout connect 5s', '  timeout client 60s', '  timeout server 60s',
    'frontend in', `  bind 127.0.0.1:${listen}`, '  default_backend out',
    'backend out', `  server echo 127.0.0.1:${backendPort}`,
  ].join('\n');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-bench-haproxy-'));
  const file = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(file, `${cfg}\n`);
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return file;
}

const backend = run(arg('--backend'), ['--port', '0']);
backend.stdout.setEncoding('utf8');
backend.stdout.once('data', (line) => {
  const m = /listening on 127\.0\.0\.1:(\d+)/.exec(line);
  if (!m) {
    console.error(`proxy-pair: unexpected backend output: ${line}`);
    stop(1);
  }
  const proxy =
    kind === 'haproxy'
      ? run('haproxy', ['-db', '-f', haproxyConfig(port, m[1])])
      : run(process.execPath, [path.join(repoRoot, 'examples/tcp-proxy.js')], {
          LISTEN: `tcp://127.0.0.1:${port}`,
          BACKEND: `tcp://127.0.0.1:${m[1]}`,
        });
  proxy.stdout.pipe(process.stdout);
});
