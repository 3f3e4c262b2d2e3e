// Shared jest settings: every package tests its TypeScript sources directly, and workspace
// packages resolve to their sources too, so a test never runs against a stale dist/.
const path = require('node:path');

module.exports = (dir) => ({
  displayName: path.basename(dir),
  rootDir: dir,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.test.json') }],
  },
  moduleNameMapper: {
    '^@nevio/(core|echo|http|redis)$': path.join(__dirname, 'packages/$1/src'),
  },
});
