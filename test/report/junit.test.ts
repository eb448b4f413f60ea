/**
 * --junit FILE on check, verify-patch and matrix: well-formed XML (checked by fast-xml-parser),
 * one test case per kernel x scenario x invariant (and per witness), a violated invariant
 * failing with its race table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { cli, tmpDir } from '../cli/helpers';
import { junitXml, xmlEscape } from '../../src/report/junit';

interface Case { '@_classname': string; '@_name': string; failure?: { '#text': string; '@_message': string }; skipped?: unknown }

function parse(file: string): { suites: { '@_tests': string; '@_failures': string }; cases: Case[] } {
  const xml = fs.readFileSync(file, 'utf8');
  assert.equal(XMLValidator.validate(xml), true, 'well-formed XML');
  const doc = new XMLParser({ ignoreAttributes: false, isArray: (n) => n === 'testsuite' || n === 'testcase' }).parse(xml);
  return { suites: doc.testsuites, cases: doc.testsuites.testsuite.flatMap((s: { testcase?: Case[] }) => s.testcase ?? []) };
}

test('check --junit: one case per invariant and witness; the violation carries the race table', () => {
  const dir = tmpDir('junit');
  const file = path.join(dir, 'out', 'junit.xml');
  const r = cli('check', '--kernel', 'v6.6.5', '--scenario', 'probe-vs-register-two-smmu', '--workers', '1', '--continue', '--out', path.join(dir, 'run'), '--junit', file);
  assert.equal(r.code, 1, r.stderr);
  const summary = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'summary.json'), 'utf8'));
  const { suites, cases } = parse(file);
  assert.equal(cases.length, summary.checked.length + summary.witnesses.length);
  assert.equal(Number(suites['@_tests']), cases.length);
  assert.ok(cases.every((c) => c['@_classname'] === 'v6.6.5/probe-vs-register-two-smmu'));
  const failed = cases.filter((c) => c.failure);
  assert.deepEqual(failed.map((c) => c['@_name']).sort(), summary.violations.map((v: { invariant: string }) => v.invariant).sort());
  const mail = fs.readFileSync(path.join(dir, 'run', 'violation-NoUnattachedDma.txt'), 'utf8');
  const nua = failed.find((c) => c['@_name'] === 'NoUnattachedDma')!;
  assert.equal(nua.failure!['#text'].trim(), mail.trim(), 'the failure text is the race table');
  assert.match(nua.failure!['@_message'], /NoUnattachedDma violated after 28 steps/);
});

test('matrix --junit: kernels x scenarios x invariants; verify-patch --junit: the patched model', () => {
  const dir = tmpDir('junit-matrix');
  const file = path.join(dir, 'm.xml');
  const r = cli('matrix', '--kernel', 'v4.19', '--kernel', 'v6.1', '--scenario', 'msm-private-domain', '--workers', '1', '--quiet', '--junit', file);
  assert.equal(r.code, 0, r.stderr);
  const { cases } = parse(file);
  const classes = [...new Set(cases.map((c) => c['@_classname']))];
  assert.deepEqual(classes, ['v4.19/msm-private-domain', 'v6.1/msm-private-domain']);
  const v419 = cases.filter((c) => c['@_classname'] === 'v4.19/msm-private-domain' && c.failure);
  assert.ok(v419.some((c) => c['@_name'] === 'DmaApiDomainHasCookie' && /DmaApiDomainHasCookie violated after 2\d steps/.test(c.failure!['#text'])));
  assert.equal(cases.filter((c) => c['@_classname'] === 'v6.1/msm-private-domain' && c.failure).length, 0);
  const vp = path.join(dir, 'vp.xml');
  const v = cli('verify-patch', '--kernel', 'v4.20-rc1', '--scenario', 'ipmmu-early-free', '--patch', 'ipmmu-free-guard', '--workers', '1', '--quiet', '--junit', vp);
  assert.ok(v.code === 0 || v.code === 1, v.stderr);
  const got = parse(vp).cases;
  assert.ok(got.length > 0 && got.every((c) => c['@_classname'] === 'v4.20-rc1/ipmmu-early-free+ipmmu-free-guard'));
  assert.equal(got.some((c) => c.failure), v.code === 1);
});

test('junitXml escapes markup and drops characters XML cannot carry', () => {
  const xml = junitXml([{ name: 's<&>"', cases: [{ classname: 'a/b', name: "x'y", time: 0, failure: { message: '<m>', text: 'a & b\u0001 ]]> c' } }] }]);
  assert.equal(XMLValidator.validate(xml), true);
  assert.equal(xmlEscape('\u0000<'), '&lt;');
  const doc = new XMLParser({ ignoreAttributes: false }).parse(xml);
  assert.equal(doc.testsuites.testsuite.testcase.failure['#text'], 'a & b ]]> c');
});
