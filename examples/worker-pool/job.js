// Runs in a pool thread: blocks for `ms` (standing in for CPU work or a blocking library call).
const { remoteWrite } = require('@nevio/core');

module.exports = ({ ms, handle }) => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const result = `slept ${ms} ms`;
  // With a connection handle the job answers the client itself, from this thread.
  if (handle) remoteWrite(handle, `${result} (written by the pool thread)\n`);
  return result;
};
