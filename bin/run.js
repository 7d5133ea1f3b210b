#!/usr/bin/env node
// The faultline CLI. Built code lives in dist/ (npm install runs the build via `prepare`).
import { main } from '../dist/src/cli/main.js';

await main(process.argv.slice(2), import.meta.url);
