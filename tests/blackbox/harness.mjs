// Starts the real banyan binary against a fresh temporary data directory on 127.0.0.1:0 and
// offers small helpers to talk to it. Every test file gets its own server.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = process.env.BANYAN_BIN ?? new URL('../../build/release/src/server/banyan', import.meta.url).pathname;

export function banyan(args, options = {}) {
  return spawnSync(BIN, args, { encoding: 'utf8', timeout: 60_000, ...options });
}

// Creates a data directory with the demo organisation — without the demo bank's customers unless
// `customers` is given (each test file starts from a known, empty customer base); returns
// { dir, credentials }.
export function demoDataDir({ customers = 0, days = 30 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'banyan-bb-'));
  const init = banyan(['demo', 'init', '--data-dir', dir, '--customers', String(customers), '--days', String(days)],
    { timeout: 300_000 });
  if (init.status !== 0) throw new Error(`demo init failed: ${init.stderr}`);
  const credentials = JSON.parse(readFileSync(join(dir, 'demo-credentials.json'), 'utf8'));
  return { dir, credentials };
}

// Starts `banyan serve`; resolves when it prints its URL.
export async function startServer({ dir, env = {}, args = [] } = {}) {
  const proc = spawn(BIN, ['serve', '--data-dir', dir, '--listen', '127.0.0.1:0', ...args], {
    env: { PATH: process.env.PATH, BANYAN_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 30_000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${stderr}`)); });
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    url, proc, exited,
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}

// A logged-in console session: fetch with the session cookie and CSRF token.
export async function login(url, username, password) {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const body = await res.json();
  const cookie = res.headers.get('set-cookie').split(';')[0];
  const csrf = body.csrf_token;
  return {
    body, cookie, csrf,
    fetch(path, init = {}) {
      const headers = { cookie, 'x-csrf-token': csrf, ...(init.headers ?? {}) };
      if (init.json !== undefined) { headers['content-type'] = 'application/json'; init.body = JSON.stringify(init.json); }
      return fetch(`${url}${path}`, { ...init, headers });
    },
  };
}

export function passwordOf(credentials, username) {
  return credentials.logins.find((l) => l.username === username).password;
}

export function cleanup(dir) { rmSync(dir, { recursive: true, force: true }); }
