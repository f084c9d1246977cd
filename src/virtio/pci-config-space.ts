import {
  PCI_BASE_ADDRESS_0,
  PCI_CAPABILITY_LIST,
  PCI_CAP_ID_VENDOR,
  PCI_CLASS_DEVICE,
  PCI_CLASS_PROG,
  PCI_CONFIG_SPACE_SIZE,
  PCI_DEVICE_ID,
  PCI_INTERRUPT_PIN,
  PCI_REVISION_ID,
  PCI_STATUS,
  PCI_STATUS_CAP_LIST,
  PCI_SUBSYSTEM_ID,
  PCI_SUBSYSTEM_VENDOR_ID,
  PCI_VENDOR_ID,
  VIRTIO_PCI_CAP_LEN,
  VIRTIO_PCI_NOTIFY_CAP_LEN,
} from "./constants.ts";

/** Where a virtio structure lives inside BAR 0 (VIRTIO 1.2 4.1.4). */
export interface VirtioCapability {
  cfgType: number;
  offset: number;
  length: number;
  /** Only for the notify capability. */
  notifyOffMultiplier?: number;
}

export interface PciIdentity {
  vendorId: number;
  deviceId: number;
  revision: number;
  /** (base class << 16) | (subclass << 8) | prog-if. */
  classCode: number;
  subsystemVendorId: number;
  subsystemId: number;
}

/** First capability at 0x40, right after the type-0 header. */
const FIRST_CAP_OFFSET = 0x40;

/**
 * Builds the static 256-byte configuration space (v86 has no config-write hooks, so every
 * capability is read-only and there is no VIRTIO_PCI_CAP_PCI_CFG window or MSI-X).
 * BAR 0 is a 32-bit non-prefetchable memory BAR at a fixed base: v86 cannot move memory BARs,
 * and v86's BAR sizing read-back drops the type bits a 64-bit BAR would need.
 */
export function buildPciConfigSpace(identity: PciIdentity, bar0Base: number, capabilities: readonly VirtioCapability[]): Uint8Array {
  const space = new Uint8Array(PCI_CONFIG_SPACE_SIZE);
  const view = new DataView(space.buffer);
  view.setUint16(PCI_VENDOR_ID, identity.vendorId, true);
  view.setUint16(PCI_DEVICE_ID, identity.deviceId, true);
  view.setUint16(PCI_STATUS, PCI_STATUS_CAP_LIST, true);
  space[PCI_REVISION_ID] = identity.revision;
  space[PCI_CLASS_PROG] = identity.classCode & 0xff;
  space[PCI_CLASS_DEVICE] = (identity.classCode >>> 8) & 0xff;
  space[PCI_CLASS_DEVICE + 1] = (identity.classCode >>> 16) & 0xff;
  // Memory BAR, 32-bit, non-prefetchable: type bits 0.
  view.setUint32(PCI_BASE_ADDRESS_0, bar0Base >>> 0, true);
  view.setUint16(PCI_SUBSYSTEM_VENDOR_ID, identity.subsystemVendorId, true);
  view.setUint16(PCI_SUBSYSTEM_ID, identity.subsystemId, true);
  space[PCI_INTERRUPT_PIN] = 1; // INTA#
  space[PCI_CAPABILITY_LIST] = capabilities.length > 0 ? FIRST_CAP_OFFSET : 0;

  if (FIRST_CAP_OFFSET + capabilities.length * VIRTIO_PCI_NOTIFY_CAP_LEN > PCI_CONFIG_SPACE_SIZE) {
    throw new Error(`${capabilities.length} virtio capabilities do not fit in PCI config space`);
  }
  let at = FIRST_CAP_OFFSET;
  capabilities.forEach((cap, i) => {
    const isNotify = cap.notifyOffMultiplier !== undefined;
    const capLength = isNotify ? VIRTIO_PCI_NOTIFY_CAP_LEN : VIRTIO_PCI_CAP_LEN;
    // Keep each capability dword aligned (PCI requires the low two bits of cap_next be 0).
    const next = i + 1 < capabilities.length ? at + ((capLength + 3) & ~3) : 0;
    space[at] = PCI_CAP_ID_VENDOR;
    space[at + 1] = next;
    space[at + 2] = capLength;
    space[at + 3] = cap.cfgType;
    space[at + 4] = 0; // bar
    space[at + 5] = 0; // id
    view.setUint32(at + 8, cap.offset, true);
    view.setUint32(at + 12, cap.length, true);
    if (isNotify) view.setUint32(at + 16, cap.notifyOffMultiplier ?? 0, true);
    at = next;
  });
  return space;
}
