/**
 * Spec constants for the virtio 1.x PCI transport and split virtqueues.
 * Source: VIRTIO 1.2, https://docs.oasis-open.org/virtio/virtio/v1.2/virtio-v1.2.html
 */

// --- 2.1 Device Status Field -------------------------------------------------------------
// https://docs.oasis-open.org/virtio/virtio/v1.2/cs01/virtio-v1.2-cs01.html#x1-110001
export const STATUS_ACKNOWLEDGE = 0x01;
export const STATUS_DRIVER = 0x02;
export const STATUS_DRIVER_OK = 0x04;
export const STATUS_FEATURES_OK = 0x08;
export const STATUS_DEVICE_NEEDS_RESET = 0x40;
export const STATUS_FAILED = 0x80;

// --- 6 Reserved Feature Bits ---------------------------------------------------------------
// https://docs.oasis-open.org/virtio/virtio/v1.2/cs01/virtio-v1.2-cs01.html#x1-6600006
export const VIRTIO_RING_F_INDIRECT_DESC = 28;
export const VIRTIO_RING_F_EVENT_IDX = 29;
export const VIRTIO_F_VERSION_1 = 32;

// --- 2.7 Split Virtqueues ------------------------------------------------------------------
// https://docs.oasis-open.org/virtio/virtio/v1.2/cs01/virtio-v1.2-cs01.html#x1-350007
/** 2.7.5: descriptor table entry: addr u64, len u32, flags u16, next u16. */
export const DESC_SIZE = 16;
export const VIRTQ_DESC_F_NEXT = 1;
export const VIRTQ_DESC_F_WRITE = 2;
export const VIRTQ_DESC_F_INDIRECT = 4;
/** 2.7.6: avail ring: flags u16, idx u16, ring[size] u16 (+ used_event u16, only with EVENT_IDX). */
export const VIRTQ_AVAIL_F_NO_INTERRUPT = 1;
export const AVAIL_RING_HEADER = 4;
/** 2.7.8: used ring: flags u16, idx u16, ring[size] {id u32, len u32} (+ avail_event u16). */
export const USED_RING_HEADER = 4;
export const USED_ELEM_SIZE = 8;
/** 2.7.4 / 4.1.4.3.2: alignment of the three parts of a split queue. */
export const DESC_TABLE_ALIGN = 16;
export const AVAIL_RING_ALIGN = 2;
export const USED_RING_ALIGN = 4;
/** 2.7: "The maximum Queue Size value is 32768". */
export const MAX_QUEUE_SIZE = 32768;

// --- 4.1.4 Virtio Structure PCI Capabilities -----------------------------------------------
// https://docs.oasis-open.org/virtio/virtio/v1.2/cs01/virtio-v1.2-cs01.html#x1-1090004
export const PCI_CAP_ID_VENDOR = 0x09;
export const VIRTIO_PCI_CAP_COMMON_CFG = 1;
export const VIRTIO_PCI_CAP_NOTIFY_CFG = 2;
export const VIRTIO_PCI_CAP_ISR_CFG = 3;
export const VIRTIO_PCI_CAP_DEVICE_CFG = 4;
/** struct virtio_pci_cap is 16 bytes; virtio_pci_notify_cap adds notify_off_multiplier. */
export const VIRTIO_PCI_CAP_LEN = 16;
export const VIRTIO_PCI_NOTIFY_CAP_LEN = 20;

// --- 4.1.2 PCI Device Discovery ------------------------------------------------------------
// https://docs.oasis-open.org/virtio/virtio/v1.2/cs01/virtio-v1.2-cs01.html#x1-1020002
export const VIRTIO_PCI_VENDOR_ID = 0x1af4;
/** Modern (non-transitional) device id = 0x1040 + virtio device type. */
export const VIRTIO_PCI_MODERN_DEVICE_ID_BASE = 0x1040;
/** 4.1.2.1: non-transitional devices SHOULD have a PCI Revision ID of 1 or higher. */
export const VIRTIO_PCI_REVISION = 1;

// --- 4.1.4.3 Common configuration structure layout -----------------------------------------
// https://docs.oasis-open.org/virtio/virtio/v1.2/cs01/virtio-v1.2-cs01.html#x1-1120003
export const COMMON_DEVICE_FEATURE_SELECT = 0x00; // u32 rw
export const COMMON_DEVICE_FEATURE = 0x04; // u32 ro
export const COMMON_DRIVER_FEATURE_SELECT = 0x08; // u32 rw
export const COMMON_DRIVER_FEATURE = 0x0c; // u32 rw
export const COMMON_MSIX_CONFIG = 0x10; // u16 rw
export const COMMON_NUM_QUEUES = 0x12; // u16 ro
export const COMMON_DEVICE_STATUS = 0x14; // u8 rw
export const COMMON_CONFIG_GENERATION = 0x15; // u8 ro
export const COMMON_QUEUE_SELECT = 0x16; // u16 rw
export const COMMON_QUEUE_SIZE = 0x18; // u16 rw
export const COMMON_QUEUE_MSIX_VECTOR = 0x1a; // u16 rw
export const COMMON_QUEUE_ENABLE = 0x1c; // u16 rw
export const COMMON_QUEUE_NOTIFY_OFF = 0x1e; // u16 ro
export const COMMON_QUEUE_DESC = 0x20; // u64 rw
export const COMMON_QUEUE_DRIVER = 0x28; // u64 rw
export const COMMON_QUEUE_DEVICE = 0x30; // u64 rw
export const COMMON_QUEUE_NOTIFY_DATA = 0x38; // u16 ro (1.2)
export const COMMON_QUEUE_RESET = 0x3a; // u16 rw (1.2, only with VIRTIO_F_RING_RESET)
/** Size we expose (covers the 1.2 fields; Linux needs at least 0x38). */
export const COMMON_CFG_LENGTH = 0x40;
/** 4.1.4.3: value meaning "no MSI-X vector" — we have no MSI-X (v86 has no config-write hooks). */
export const VIRTIO_MSI_NO_VECTOR = 0xffff;

// --- 4.1.4.5 ISR status capability ---------------------------------------------------------
// https://docs.oasis-open.org/virtio/virtio/v1.2/cs01/virtio-v1.2-cs01.html#x1-1140005
export const ISR_QUEUE = 0x1;
export const ISR_CONFIG = 0x2;

// --- PCI configuration space (PCI Local Bus 3.0, type 0 header) ----------------------------
export const PCI_VENDOR_ID = 0x00;
export const PCI_DEVICE_ID = 0x02;
export const PCI_COMMAND = 0x04;
export const PCI_STATUS = 0x06;
export const PCI_STATUS_CAP_LIST = 0x10;
export const PCI_REVISION_ID = 0x08;
export const PCI_CLASS_PROG = 0x09;
export const PCI_CLASS_DEVICE = 0x0a; // subclass, then base class at 0x0b
export const PCI_HEADER_TYPE = 0x0e;
export const PCI_BASE_ADDRESS_0 = 0x10;
export const PCI_SUBSYSTEM_VENDOR_ID = 0x2c;
export const PCI_SUBSYSTEM_ID = 0x2e;
export const PCI_CAPABILITY_LIST = 0x34;
export const PCI_INTERRUPT_LINE = 0x3c;
export const PCI_INTERRUPT_PIN = 0x3d;
export const PCI_CONFIG_SPACE_SIZE = 256;
/** v86 maps MMIO in 128 KiB granules (platform notes). */
export const V86_MMIO_GRANULE = 0x20000;
