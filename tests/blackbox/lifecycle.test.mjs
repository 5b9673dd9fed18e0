// Start-up, shutdown and tampering: things that need their own server process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { banyan, cleanup, demoDataDir, passwordOf, startServer } from './harness.mjs';

test('a config file with an unknown key or a bad value stops start-up naming the key', () => {
  const { dir } = demoDataDir();
  try {
    const unknown = join(dir, 'unknown.toml');
    writeFileSync(unknown, '[http]\nbody_limit = 10\n');
    let run = banyan(['serve', '--config', unknown, '--data-dir', dir, '--listen', '127.0.0.1:0']);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /unknown key 'http\.body_limit'/);

    const bad = join(dir, 'bad.toml');
    writeFileSync(bad, '[auth]\nlockout_s = -5\n');
    run = banyan(['serve', '--config', bad, '--data-dir', dir, '--listen', '127.0.0.1:0']);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /auth\.lockout_s/);

    run = banyan(['serve', '--data-dir', dir, '--listen', '127.0.0.1:0'], { env: { PATH: process.env.PATH, BANYAN_LOG_FORMAT: 'xml' } });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /log\.format/);
  } finally {
    cleanup(dir);
  }
});

test('SIGTERM during requests completes them and exits 0', async () => {
  const { dir, credentials } = demoDataDir();
  try {
    const server = await startServer({ dir });
    // Logins are deliberately slow (Argon2id), so these are in flight when the signal lands.
    const inflight = Array.from({ length: 8 }, () => fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'analyst', password: passwordOf(credentials, 'analyst') }),
    }));
    await new Promise((r) => setTimeout(r, 30));
    server.proc.kill('SIGTERM');
    const results = await Promise.all(inflight);
    for (const r of results) assert.equal(r.status, 200);
    const { code } = await server.exited;
    assert.equal(code, 0, server.stderr());
    // Closed cleanly: the next start works and the data is intact.
    const again = await startServer({ dir });
    assert.equal((await fetch(`${again.url}/readyz`)).status, 200);
    assert.equal((await again.stop()).code, 0);
  } finally {
    cleanup(dir);
  }
});

test('a second server on the same data directory is refused', async () => {
  const { dir } = demoDataDir();
  try {
    const server = await startServer({ dir });
    const second = banyan(['serve', '--data-dir', dir, '--listen', '127.0.0.1:0']);
    assert.notEqual(second.status, 0);
    assert.match(second.stderr, /in use by another banyan process/);
    await server.stop();
  } finally {
    cleanup(dir);
  }
});

test('banyan audit verify passes, then detects an edited row', async () => {
  const { dir } = demoDataDir();
  try {
    let run = banyan(['audit', 'verify', '--data-dir', dir]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /intact: \d+ entries/);
    // Someone with write access to the database file but not the key edits history.
    const db = join(dir, 'banyan.db');
    const triggers = spawnSync('sqlite3', [db, "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_log'"], { encoding: 'utf8' });
    const drops = triggers.stdout.trim().split('\n').filter(Boolean).map((t) => `DROP TRIGGER ${t};`).join(' ');
    const edit = spawnSync('sqlite3', [db, `${drops} UPDATE audit_log SET actor_name = 'nobody' WHERE seq = 3;`], { encoding: 'utf8' });
    assert.equal(edit.status, 0, edit.stderr);
    run = banyan(['audit', 'verify', '--data-dir', dir]);
    assert.equal(run.status, 3);
    assert.match(run.stdout, /TAMPERED at entry 3/);
  } finally {
    cleanup(dir);
  }
});

test('the first admin can be created from the command line on a fresh install', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'banyan-fresh-'));
  try {
    const run = banyan(['admin', 'create-user', '--data-dir', dir, '--username', 'root.admin', '--role', 'admin', '--password-stdin'],
      { input: 'a-very-long-admin-password\n' });
    assert.equal(run.status, 0, run.stderr);
    const weak = banyan(['admin', 'create-user', '--data-dir', dir, '--username', 'weak', '--role', 'admin', '--password-stdin'],
      { input: 'short\n' });
    assert.notEqual(weak.status, 0);
    const server = await startServer({ dir });
    const res = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'root.admin', password: 'a-very-long-admin-password' }),
    });
    assert.equal(res.status, 200);
    await server.stop();
  } finally {
    cleanup(dir);
  }
});

test('the database and logs hold no secrets in clear', async () => {
  const { dir, credentials } = demoDataDir();
  try {
    const server = await startServer({ dir, env: { BANYAN_LOG_LEVEL: 'info' } });
    await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: passwordOf(credentials, 'admin') }),
    });
    await server.stop();
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(join(dir, 'banyan.db')).toString('latin1');
    for (const l of credentials.logins) assert.ok(!bytes.includes(l.password), `password of ${l.username} in clear`);
    assert.ok(!bytes.includes(credentials.write_key), 'write key in clear');
    assert.ok(!server.stderr().includes(passwordOf(credentials, 'admin')));
  } finally {
    cleanup(dir);
  }
});
