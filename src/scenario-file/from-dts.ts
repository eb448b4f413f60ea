/**
 * A scenario file from a device tree: each IOMMU node (`#iommu-cells`) that a client references
 * through `iommus` (platform clients) or `iommu-map` (PCI host bridges: one client per mapped
 * RID range), each such client, and groups by shared stream IDs. The driver is guessed from the
 * IOMMU's `compatible`. The model checks small topologies, so at most `maxDevices` clients are
 * kept, in tree order; the file says which were left out. Every client is described by the tree,
 * so a PCI client is `firmware: of` (pci_dma_configure goes to of_dma_configure when the host
 * bridge's parent has an of_node, 6.18.9 pci-driver.c:1645-1647), beside the platform clients
 * (`bus: pci`) unless `bus` keeps one bus only.
 */
import { fail } from '../errors';
import type { IommuDriver } from '../model/config';
import { MIXABLE_DRIVERS } from '../model/mixed-drivers';
import { byLabel, byPath, type Cell, type DtNode, walk } from './dts';

/** compatible -> driver. Order matters: the first match wins. */
const COMPATIBLE: readonly [RegExp, IommuDriver][] = [
  [/^arm,smmu-v3$/, 'smmu-v3'],
  [/^(arm,mmu-(400|401|500)|arm,smmu-v[12]|arm,mmu-600|qcom,smmu-v2|qcom,[a-z0-9]+-smmu-(v2|500)|qcom,smmu-500|nvidia,(tegra[0-9]+|smmu)-smmu|cavium,smmu-v2|marvell,ap806-smmu-500)$/, 'arm-smmu'],
  [/^renesas,(rcar-gen[34]-)?ipmmu-/, 'ipmmu'],
];
const KNOWN = 'arm,smmu-v3 (smmu-v3); arm,mmu-500, arm,smmu-v2, qcom,smmu-v2 (arm-smmu); renesas,ipmmu-* (ipmmu)';

export interface FromDtsOptions { readonly file: string; readonly maxDevices?: number; readonly name?: string; readonly bus?: 'platform' | 'pci' }
export interface FromDts { readonly yaml: string; readonly notes: readonly string[] }

const isOkay = (n: DtNode) => { const s = n.props.get('status')?.values[0]; return !s || s.kind !== 'string' || s.text === 'okay' || s.text === 'ok'; };
const strings = (n: DtNode, prop: string) => (n.props.get(prop)?.values ?? []).flatMap((v) => (v.kind === 'string' ? [v.text] : []));
const cells = (n: DtNode, prop: string): Cell[] => (n.props.get(prop)?.values ?? []).flatMap((v) => (v.kind === 'cells' ? v.cells : v.kind === 'ref' ? [{ kind: 'ref' as const, label: v.label }] : []));
const num = (c: Cell | undefined) => (c?.kind === 'num' ? c.value : undefined);

/** A scenario entity name from a node: its first label, else its name without the unit address. */
function entityName(n: DtNode, taken: Set<string>, prefix: string): string {
  const base = (n.labels[0] ?? n.name.split('@')[0]).replace(/[^A-Za-z0-9_]/g, '_').replace(/^[^A-Za-z]+/, '').slice(0, 32) || prefix;
  let name = base, i = 2;
  while (taken.has(name)) name = `${base}_${i++}`;
  taken.add(name);
  return name;
}

export function scenarioFromDts(root: DtNode, o: FromDtsOptions): FromDts {
  const where = (n: DtNode) => `${o.file}:${n.line}:${n.col}`;
  const maxDevices = o.maxDevices ?? 4;
  const phandles = new Map<number, DtNode>();
  for (const n of walk(root)) { const ph = num(cells(n, 'phandle')[0]) ?? num(cells(n, 'linux,phandle')[0]); if (ph !== undefined) phandles.set(ph, n); }
  const target = (c: Cell): DtNode | undefined => (c.kind === 'ref' ? byLabel(root, c.label) : c.kind === 'path' ? byPath(root, c.path) : c.kind === 'num' ? phandles.get(c.value) : undefined);
  const iommuCells = (n: DtNode) => num(cells(n, '#iommu-cells')[0]);

  interface Client { node: DtNode; iommu: DtNode; ids: string; bus: 'platform' | 'pci'; label: string; rid?: string }
  const clients: Client[] = [];
  for (const n of walk(root)) {
    if (!isOkay(n)) continue;
    const list = cells(n, 'iommus');
    if (list.length) {
      // <&iommu arg...>, each entry the phandle then #iommu-cells arguments.
      let i = 0;
      const entries: { iommu: DtNode; args: string }[] = [];
      while (i < list.length) {
        const t = target(list[i]);
        if (!t) fail('E_DTS_FILE', `${where(n)}: ${n.path}: iommus names ${JSON.stringify(list[i])}, which is no node`);
        const k = iommuCells(t!);
        if (k === undefined) fail('E_DTS_FILE', `${where(n)}: ${n.path}: iommus refers to ${t!.path}, which has no #iommu-cells`);
        entries.push({ iommu: t!, args: list.slice(i + 1, i + 1 + k!).map(cellText).join(' ') });
        i += 1 + k!;
      }
      clients.push({ node: n, iommu: entries[0].iommu, ids: entries.map((e) => e.args).join(','), bus: 'platform', label: n.path });
    }
    const map = cells(n, 'iommu-map');
    // iommu-map = <rid-base &iommu iommu-base length>...: one PCI client per mapped range.
    for (let i = 0; i + 4 <= map.length; i += 4) {
      const t = target(map[i + 1]);
      if (!t) fail('E_DTS_FILE', `${where(n)}: ${n.path}: iommu-map names ${JSON.stringify(map[i + 1])}, which is no node`);
      clients.push({ node: n, iommu: t!, ids: `${cellText(map[i + 2])}+${cellText(map[i + 3])}`, bus: 'pci', label: `${n.path} RID ${cellText(map[i])}`, rid: cellText(map[i]).replace(/^0x/, '') });
    }
  }
  if (!clients.length) fail('E_DTS_FILE', `${o.file}: no node has an iommus or iommu-map property (no IOMMU client to model)`);
  const notes: string[] = [];
  // Both buses unless `bus` keeps one; the scenario's bus is platform when it has platform clients.
  const onBus = o.bus ? clients.filter((c) => c.bus === o.bus) : clients;
  if (o.bus && !onBus.length) fail('E_DTS_FILE', `${o.file}: no ${o.bus} client (${o.bus === 'pci' ? 'no iommu-map' : 'no iommus property'} on an enabled node)`);
  if (onBus.length < clients.length) notes.push(`left out ${clients.length - onBus.length} ${o.bus === 'platform' ? 'PCI client(s) (iommu-map)' : 'platform client(s) (iommus)'}: --bus ${o.bus} keeps one bus (without --bus both are kept)`);
  const driverOf = (iommu: DtNode): IommuDriver => {
    const compat = strings(iommu, 'compatible');
    for (const c of compat) for (const [re, d] of COMPATIBLE) if (re.test(c)) return d;
    return fail('E_DTS_FILE', `${where(iommu)}: IOMMU ${iommu.path}: compatible ${compat.map((c) => JSON.stringify(c)).join(', ') || '(none)'} is no driver probecheck models (known: ${KNOWN})`);
  };
  const first = driverOf(onBus[0].iommu);
  // arm-smmu and smmu-v3 share a scenario (mixed-drivers.ts); any other driver stays alone.
  const mixable = (d: IommuDriver) => MIXABLE_DRIVERS.includes(d) && MIXABLE_DRIVERS.includes(first);
  const sameDriver = onBus.filter((c) => driverOf(c.iommu) === first || mixable(driverOf(c.iommu)));
  if (sameDriver.length < onBus.length) notes.push(`left out ${onBus.length - sameDriver.length} client(s) of IOMMUs not served by ${first}: a scenario has one IOMMU driver (or ${MIXABLE_DRIVERS.join(' and ')})`);
  const capped = sameDriver.slice(0, maxDevices);
  const bus = capped.some((c) => c.bus === 'platform') ? 'platform' : 'pci';
  if (capped.length < sameDriver.length) notes.push(`kept the first ${capped.length} of ${sameDriver.length} clients (--max-devices ${maxDevices}): the state space grows quickly with each client`);
  // IOMMUs of different drivers are modelled on one bus (parse.ts): keep the scenario's.
  const mixed = new Set(capped.map((c) => driverOf(c.iommu))).size > 1;
  const kept = mixed ? capped.filter((c) => c.bus === bus) : capped;
  if (kept.length < capped.length) notes.push(`left out ${capped.length - kept.length} ${bus === 'platform' ? 'PCI' : 'platform'} client(s): IOMMUs of different drivers (${MIXABLE_DRIVERS.join(', ')}) are modelled on one bus`);
  const iommuNodes = [...new Set(kept.map((c) => c.iommu))].slice(0, 4);
  const kept2 = kept.filter((c) => iommuNodes.includes(c.iommu));
  const taken = new Set<string>();
  const iommuName = new Map(iommuNodes.map((n) => [n, entityName(n, taken, 'I')]));
  // Clients with the same IOMMU and the same stream IDs share a group (the SMMU cannot tell them apart).
  const groupKey = (c: Client) => `${c.iommu.path} ${c.ids}`;
  const groupNames = new Map<string, string>();
  for (const c of kept2) if (!groupNames.has(groupKey(c))) groupNames.set(groupKey(c), `G${groupNames.size + 1}`);
  for (const g of groupNames.values()) taken.add(g);
  const devs = kept2.map((c) => ({ c, name: entityName(c.bus === 'pci' ? { ...c.node, labels: [], name: `${c.node.labels[0] ?? c.node.name.split('@')[0]}_rid${c.rid}` } : c.node, taken, 'D') }));
  const name = o.name ?? ((strings(root, 'model')[0] ?? strings(root, 'compatible')[0] ?? 'board').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 60) || 'board');
  const q = (s: string) => JSON.stringify(s);
  const lines = [
    `# Written by probecheck scenario from-dts ${o.file}.`,
    ...iommuNodes.map((n) => `#   IOMMU ${iommuName.get(n)}: ${n.path} (${strings(n, 'compatible').join(', ')}; #iommu-cells = ${iommuCells(n)})`),
    ...devs.map((d) => `#   client ${d.name}: ${d.c.label} -> ${iommuName.get(d.c.iommu)} [${d.c.ids}]`),
    ...notes.map((n) => `#   note: ${n}`),
    ...(kept2.some((c) => c.bus === 'pci') ? ['# PCI clients are described by the tree too (firmware: of): pci_dma_configure goes to', '# of_dma_configure through the host bridge\'s iommu-map, not to ACPI (IORT).'] : []),
    '# Every client binds from boot (start: probe) with a DMA-API driver (driver: K): edit start,',
    '# driver (M: msm-style private domain, V: vfio), unbind, atBoot to the board\'s boot order.',
    `name: ${q(name)}`,
    `doc: ${q(`From the device tree ${o.file.split('/').pop()}: ${iommuNodes.length} IOMMU(s), ${devs.length} client(s).`)}`,
    `bus: ${bus}`,
    'iommus:',
    ...iommuNodes.map((n) => `  - {name: ${iommuName.get(n)}, driver: ${driverOf(n)}}`),
    'groups:',
    ...[...groupNames.values()].map((g) => `  - ${g}`),
    'devices:',
    ...devs.map((d) => `  - {name: ${d.name}, iommu: ${iommuName.get(d.c.iommu)}, group: ${groupNames.get(groupKey(d.c))}, driver: K, start: probe${d.c.bus === 'pci' ? `${bus === 'pci' ? '' : ', bus: pci'}, firmware: of` : ''}}`),
    'invariants: all',
    'witnesses:',
    '  - name: RegistrationFinished',
    '    doc: every IOMMU registered and its driver bound',
    `    when: {all: [${iommuNodes.map((n) => `{registered: ${iommuName.get(n)}}`).join(', ')}]}`,
    '  - name: AllClientsBoundWithIommu',
    '    doc: every client bound with IOMMU DMA ops',
    `    when: {all: [${devs.map((d) => `{bound: ${d.name}}, {mode: {dev: ${d.name}, is: iommu}}`).join(', ')}]}`,
    '',
  ];
  return { yaml: lines.join('\n'), notes };
}

function cellText(c: Cell | undefined): string {
  if (!c) return '?';
  return c.kind === 'num' ? `0x${c.value.toString(16)}` : c.kind === 'ref' ? `&${c.label}` : c.kind === 'path' ? `&{${c.path}}` : c.text;
}

