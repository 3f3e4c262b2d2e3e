'use strict';
// Loads the compiled reactor. NEVIO_NATIVE_VARIANT=asan selects the AddressSanitizer build
// (build-asan/), which the sanitizer test run uses; everything else gets the release build.
const path = require('node:path');

const variant = process.env.NEVIO_NATIVE_VARIANT === 'asan' ? 'build-asan' : 'build';
const file = path.join(__dirname, variant, 'Release', 'nevio_native.node');
let addon;
try {
  addon = require(file);
} catch (error) {
  error.message = `@nevio/native is not built (${file}): run \`pnpm build\` at the repository root.\n${error.message}`;
  throw error;
}
// The protocol's numbers are shared by every loop of the process: nobody may change them.
function freeze(value) {
  if (typeof value === 'object' && value !== null) Object.values(value).forEach(freeze);
  return Object.freeze(value);
}
freeze(addon.constants);
module.exports = addon;
