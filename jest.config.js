module.exports = {
  projects: ['<rootDir>/packages/*/jest.config.js'],
  testTimeout: 60000,
};
