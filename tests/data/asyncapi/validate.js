// Parse AsyncAPI documents with the official parser (@asyncapi/parser); print every
// diagnostic as "FILE: severity: message at path" and exit 1 when one is an error.
// Run by tests/contracts/test_asyncapi_parser.py with NODE_PATH set to the install.
const fs = require('fs');
const { Parser } = require('@asyncapi/parser');

const SEVERITY = ['error', 'warning', 'info', 'hint'];

async function main() {
  const parser = new Parser();
  let failed = false;
  for (const file of process.argv.slice(2)) {
    const { document, diagnostics } = await parser.parse(fs.readFileSync(file, 'utf8'));
    for (const d of diagnostics) {
      const severity = SEVERITY[d.severity] || String(d.severity);
      console.log(`${file}: ${severity}: ${d.message} at /${(d.path || []).join('/')}`);
      if (d.severity === 0) failed = true;
    }
    if (!document) failed = true;
    console.log(`${file}: ${document ? 'parsed' : 'NOT parsed'}, ` +
                `${document ? document.allMessages().length : 0} message(s), ` +
                `${document ? document.allChannels().length : 0} channel(s), ` +
                `${document ? document.allOperations().length : 0} operation(s)`);
  }
  process.exit(failed ? 1 : 0);
}

main().catch((error) => { console.error(error); process.exit(2); });
