// Scaffolds a resource: npm run new:resource -- <plural-name> [--singular <name>] [<field>:<kind>[?] …]
// e.g. npm run new:resource -- expenses amount:'decimal(10,2)' spent_on:date \
//        'category:enum(food|travel|other)' 'receipt:url?' 'note:text(0,500)?'
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resources } from '@enclave/contract';
import { KIND_SYNTAX } from '../scaffold/field-arguments.js';
import { scaffoldResource } from '../scaffold/scaffold-files.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const args = process.argv.slice(2).filter((arg) => arg !== '--');
const singularAt = args.indexOf('--singular');
const singular = singularAt === -1 ? undefined : args[singularAt + 1];
const rest =
  singularAt === -1 ? args : args.filter((_, at) => at !== singularAt && at !== singularAt + 1);
const [name, ...fields] = rest;
if (name === undefined || name.startsWith('-')) {
  process.stderr.write(
    `usage: npm run new:resource -- <plural-name> [--singular <name>] [<field>:<kind>[?] …]\n` +
      `kinds: ${KIND_SYNTAX}; a trailing ? makes the field optional (quote arguments holding ( | or ?)\n`,
  );
  process.exit(2);
}
try {
  const written = scaffoldResource(root, {
    name,
    fields,
    known: Object.keys(resources),
    ...(singular === undefined ? {} : { singular }),
  });
  if (written.length === 0) {
    process.stdout.write(
      `new:resource: ${name} is already scaffolded with these fields; nothing changed\n`,
    );
    process.exit(0);
  }
  try {
    execFileSync(`${root}node_modules/.bin/prettier`, ['--write', ...written], {
      cwd: root,
      stdio: 'ignore',
    });
  } catch {
    process.stderr.write(
      'new:resource: prettier did not run; format the files before committing\n',
    );
  }
  process.stdout.write(`new:resource: ${name} scaffolded. Files written or changed:\n`);
  for (const file of written) process.stdout.write(`  ${file}\n`);
  process.stdout.write(
    `Next: npx vitest run apps/server/src/resources/registered-resources.test.ts -t ${name}\n`,
  );
} catch (error) {
  process.stderr.write(`new:resource: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
