/**
 * The installable package: `npm pack` gives a tarball that installs into an empty folder (from
 * the npm cache, falling back to the registry: no other network) and runs there as a user runs
 * it: `npx probecheck --help`, `npx probecheck check` (the default kernel's scenarios, exit 1:
 * its race is found) and a user patch written in TypeScript (why typescript is a dependency).
 * The tarball ships the built code and the docs, not the tests, sources or bench.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../cli/helpers';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const quiet = { NO_UPDATE_NOTIFIER: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };

test('npm pack installs into an empty folder and runs there', { timeout: 120_000 }, () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'probecheck-pack-'));
  try {
    // The build is fresh (npm test builds first): pack without running prepare again.
    const name = execFileSync(NPM, ['pack', '--ignore-scripts', '--silent', '--pack-destination', tmp], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop() as string;
    const tarball = path.join(tmp, name);
    const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const has = (re: RegExp) => listing.some((f) => re.test(f));
    assert.ok(has(/^package\/bin\/probecheck\.js$/) && has(/^package\/dist\/src\/cli\/main\.js$/) && has(/^package\/dist\/workers\/explore-worker\.js$/));
    assert.ok(has(/^package\/docs\/cli\.md$/) && has(/^package\/README\.md$/));
    assert.ok(has(/^package\/schema\/scenario\.schema\.json$/) && has(/^package\/scenarios\/probe-vs-register\.yaml$/), 'the scenario schema and the built-in scenario files');
    assert.ok(!has(/^package\/(test|src|bench|dist\/test|dist\/bench)\//) && !has(/\.map$/), 'no tests, sources, bench or source maps');

    const app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    const env = { ...process.env, ...quiet };
    const inst = spawnSync(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: app, encoding: 'utf8', env, timeout: 90_000 });
    assert.equal(inst.status, 0, inst.stderr);

    const npx = (...args: string[]) => spawnSync(NPX, ['--no-install', 'probecheck', ...args], { cwd: app, encoding: 'utf8', env, timeout: 60_000 });
    const help = npx('--help');
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: probecheck/);
    assert.match(help.stdout, /report \[options\] <results>/);

    const check = npx('check');
    assert.equal(check.status, 1, check.stderr);
    assert.match(check.stdout, /== probecheck check: kernel v6\.18\.y, scenario probe-vs-register,/);
    assert.match(check.stdout, /report: results\/\d{8}-\d{6}-v6\.18\.y[^\/\s]*\/report\.html/);

    // A shipped scenario file, checked through the schema the package ships.
    const sf = npx('check', '--scenario-file', 'node_modules/probecheck/scenarios/probe-vs-register.yaml', '--workers', '1', '--quiet', '--out', 'from-file');
    assert.equal(sf.status, 1, sf.stderr);
    const bad = path.join(app, 'bad.yaml');
    fs.writeFileSync(bad, 'name: b\nbus: platfrm\n');
    const sfBad = npx('check', '--scenario-file', 'bad.yaml');
    assert.equal(sfBad.status, 2);
    assert.match(sfBad.stderr, /^probecheck: E_SCENARIO_FILE: bad\.yaml:2:6: bus: unknown value "platfrm" \(valid: platform, amba, pci\)\n$/);

    // A user's patch in TypeScript, importing the package by name.
    const fix = fs.readFileSync(path.join(ROOT, 'test', 'model', 'fixtures', 'fix-5.5.ts'), 'utf8')
      .replace("'../../../src/ir/dsl'", "'probecheck/dist/src/ir/dsl'").replace("'../../../src/model'", "'probecheck/dist/src/model'");
    fs.writeFileSync(path.join(app, 'fix.ts'), fix);
    const patched = npx('check', '--kernel', 'v6.15', '--scenario', 'probe-vs-register', '--patch', './fix.ts', '--workers', '1', '--quiet', '--out', 'patched');
    assert.equal(patched.status, 0, patched.stderr);
    assert.equal(patched.stdout, 'pass\n');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
