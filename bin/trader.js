#!/usr/bin/env node
// The `trader` CLI runs from the build: `npm start` and `npm test` build it (or run `npm run build`).
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'cli', 'trader.js');
if (!fs.existsSync(entry)) {
  console.error('trader: the project is not built yet. Run `npm run build` (npm start does it too).');
  process.exit(1);
}
// exitCode rather than process.exit(): a large --json output piped to another program is flushed first.
require(entry).run(process.argv).then((code) => { process.exitCode = code; });
