module.exports = {
  projects: ['<rootDir>/packages/*/jest.config.js', '<rootDir>/examples/jest.config.js'],
  testTimeout: 60000,
};
