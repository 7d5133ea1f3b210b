#!/usr/bin/env node
// faultline-store: the bundled replicated key-value server (see src/store/).
await import('../dist/src/store/main.js');
