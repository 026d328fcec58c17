#!/usr/bin/env node
// Prints the code block that follows `<!-- <marker> -->` in README.md, so CI runs the README's
// own commands rather than a copy that could drift from them.
//
//   node scripts/readme-block.mjs scaffold-example
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';

const marker = process.argv[2];
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const block = new RegExp(`<!-- ${marker} -->\\n+\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
if (marker === undefined || block === null) {
  console.error(`readme-block: no code block after <!-- ${marker} --> in README.md`);
  process.exit(1);
}
process.stdout.write(`${block[1]}\n`);
