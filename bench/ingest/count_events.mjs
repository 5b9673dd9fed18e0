// Counts the records in a Banyan event log directory by reading only the batch headers
// (docs/formats/event_log.md): node count_events.mjs <data_dir>/events
import { openSync, readSync, closeSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const header = Buffer.alloc(40);
let records = 0;
for (const name of readdirSync(dir).filter((f) => /^\d{20}\.log$/.test(f)).sort()) {
  const path = join(dir, name);
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  for (let off = 0; off + 40 <= size;) {
    readSync(fd, header, 0, 40, off);
    if (header.readUInt32BE(0) !== 0x9b4c4f47) throw new Error(`${path}: no batch magic at ${off}`);
    records += header.readUInt32LE(12);
    off += header.readUInt32LE(8);
  }
  closeSync(fd);
}
console.log(records);
