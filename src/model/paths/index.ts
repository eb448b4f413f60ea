/** The probe path's forms, one file each, chosen by `Forms.probe` (src/model/forms.ts). */
import type { ProbePathForm } from '../forms';
import { addDevicePath } from './add-device';
import { droppingPath } from './probe-dropping';
import { lockedPath } from './probe-locked';
import { unlockedPath } from './probe-unlocked';
import type { ProbePath } from './types';

export const PROBE_PATH: Record<ProbePathForm, ProbePath> = {
  add_device: addDevicePath, // paths/add-device.ts      v4.19, v4.20-rc1
  unlocked: unlockedPath, //    paths/probe-unlocked.ts  v5.17 .. v6.1
  locked: lockedPath, //        paths/probe-locked.ts    v6.6 (a2e7e59a9426, 6eb4da8cf545)
  dropping: droppingPath, //    paths/probe-dropping.ts  v6.15 (bcb81ac6ae3c; 0c8e9c148e29)
};

export { firmwareConfigure } from './firmware-configure';
export type { ProbeExits, ProbePath } from './types';
