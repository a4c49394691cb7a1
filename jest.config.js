// Tests run as native ES modules (the project is "type": "module"; yargs 18 and d3-node 4 ship
// only ES modules), so jest needs --experimental-vm-modules (set by `npm test`) and ts-jest in ESM mode.
// Type checking is done once by `tsc` before jest starts; ts-jest only transpiles, which keeps runs fast.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, isolatedModules: true, diagnostics: false }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/src/**/*.test.ts'],
  testTimeout: 60000,
};
