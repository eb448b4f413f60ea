/** The probe path's forms, one file each, chosen by `Forms.probe` (src/model/forms.ts). */
import type { ProbePathForm } from '../forms';
import { addDevicePath } from './add-device';
import { droppingPath } from './probe-dropping';
import { initDevicePath } from './init-device';
import { probeDevicePath } from './probe-device';
import type { ProbePath } from './types';

export const PROBE_PATH: Record<ProbePathForm, ProbePath> = {
  add_device: addDevicePath, //     paths/add-device.ts      v4.19, v4.20-rc1
  probe_device: probeDevicePath, // paths/probe-device.ts    v5.10 .. v6.1.y
  init_device: initDevicePath, //   paths/init-device.ts     v6.6 .. v6.12.y (6eb4da8cf545)
  dropping: droppingPath, //        paths/probe-dropping.ts  v6.15 .. v7.0 (bcb81ac6ae3c; 0c8e9c148e29)
};

export { firmwareConfigure } from './firmware-configure';
export type { ProbeExits, ProbePath } from './types';
