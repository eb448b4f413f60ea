/**
 * --model-file model.ts|.js: a user's own model written in the IR (like src/examples/classic.ts).
 * The module's default export (or `model`) is a Model, or a function of the --set parameters
 * returning one. It runs as code by design, like a patch module; what it returns is checked
 * node by node (src/ir/validate.ts) and lowered before any search, and any problem is one line
 * naming the file (E_MODEL_FILE, exit 2).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fail, ProbeError } from '../errors';
import type { CoreModel } from '../ir/core';
import { lowerModel } from '../ir/lower';
import type { Model } from '../ir/types';
import { loadModuleFile } from './patch-loader';

export interface ModelFile { readonly model: Model; readonly core: CoreModel; readonly file: string; readonly digest: string }

/** `--set KEY=VALUE` as a parameter: integers and true/false typed, anything else a string. */
function params(set: readonly string[]): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (const kv of set) {
    const eqAt = kv.indexOf('=');
    if (eqAt <= 0) fail('E_USAGE', `--set takes KEY=VALUE, got '${kv}'`);
    const raw = kv.slice(eqAt + 1);
    out[kv.slice(0, eqAt)] = /^-?\d+$/.test(raw) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw;
  }
  return out;
}

export function loadModelFile(spec: string, set: readonly string[]): ModelFile {
  const file = path.resolve(spec);
  if (!/\.(c?js|ts)$/.test(file)) fail('E_MODEL_FILE', `${spec}: a model file is a .ts or .js module`);
  if (!fs.existsSync(file)) fail('E_MODEL_FILE', `${spec}: no such file`);
  let exp: unknown;
  try {
    exp = loadModuleFile(file);
  } catch (e) {
    if (e instanceof ProbeError && e.code !== 'E_INTERNAL') fail('E_MODEL_FILE', `${e.message.split('\n')[0]}`);
    fail('E_MODEL_FILE', `${spec}: loading it threw: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  const o = exp as { default?: unknown; model?: unknown };
  const cand = o?.default ?? o?.model ?? exp;
  let model: unknown;
  try {
    model = typeof cand === 'function' ? (cand as (p: Record<string, unknown>) => unknown)(params(set)) : cand;
  } catch (e) {
    if (e instanceof ProbeError && e.code === 'E_USAGE') throw e;
    fail('E_MODEL_FILE', `${spec}: building the model threw: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  if (typeof cand !== 'function' && set.length) fail('E_USAGE', `--set: ${spec} exports a model, not a function of parameters`);
  if (!model || typeof model !== 'object' || Array.isArray(model) || typeof (model as Model).name !== 'string') {
    fail('E_MODEL_FILE', `${spec}: the default export (or 'model') must be an IR Model { name, entities, fields, actors, properties } or a function returning one`);
  }
  let core: CoreModel;
  try {
    core = lowerModel(model as Model);
  } catch (e) {
    if (e instanceof ProbeError) fail('E_MODEL_FILE', `${spec}: ${e.message.split('\n')[0]}`);
    fail('E_MODEL_FILE', `${spec}: the model cannot be lowered: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
  return { model: model as Model, core, file, digest: crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') };
}
