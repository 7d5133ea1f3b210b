#!/usr/bin/env node
// The faultline CLI. Built code lives in dist/ (npm install runs the build via `prepare`).
// Node's compile cache (Node ≥ 22.1) saves compiling our modules and oclif's at every start;
// used when this Node has it, never required (we support Node 20–24).
import module from 'node:module';

module.enableCompileCache?.();
const { main } = await import('../dist/src/cli/main.js');
await main(process.argv.slice(2), import.meta.url);
