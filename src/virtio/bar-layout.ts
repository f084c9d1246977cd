import { COMMON_CFG_LENGTH, V86_MMIO_GRANULE } from "./constants.ts";

/**
 * Layout of BAR 0. Each structure gets its own 4 KiB page so a guest mapping one (Linux
 * ioremaps each capability separately) never overlaps another. The BAR is one v86 MMIO
 * granule (128 KiB), the smallest region v86 can map.
 */
export const BAR_SIZE = V86_MMIO_GRANULE;
export const COMMON_CFG_OFFSET = 0x0000;
export { COMMON_CFG_LENGTH };
export const ISR_OFFSET = 0x1000;
export const ISR_LENGTH = 4;
export const DEVICE_CFG_OFFSET = 0x2000;
export const NOTIFY_OFFSET = 0x3000;
/** queue_notify_off = queue index; the notify address is NOTIFY_OFFSET + index * multiplier. */
export const NOTIFY_OFF_MULTIPLIER = 4;
/** Default fixed BAR base: v86 cannot move memory BARs and 0xFE000000 collides with nothing. */
export const DEFAULT_MMIO_BASE = 0xfe000000;
