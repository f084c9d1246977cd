import type { Rect } from "./scanout-backend.ts";

/** One display output: what the host offers (the preferred mode) and what the guest shows on it. */
export interface Scanout {
  readonly id: number;
  /** Preferred mode reported by GET_DISPLAY_INFO / GET_EDID; 0×0 = disconnected. */
  width: number;
  height: number;
  /** Resource bound by SET_SCANOUT (0 = disabled) and the part of it shown. */
  resourceId: number;
  rect: Rect;
}

export interface DisplaySize {
  width: number;
  height: number;
}

export const EMPTY_RECT: Rect = { x: 0, y: 0, width: 0, height: 0 };

export function createScanouts(displays: readonly DisplaySize[]): Scanout[] {
  return displays.map((display, id) => ({ id, width: display.width, height: display.height, resourceId: 0, rect: EMPTY_RECT }));
}

/**
 * True when `rect` lies inside a width×height surface. Plain number arithmetic on u32 fields
 * cannot wrap, so x + w > width also catches the "x + w overflows 32 bits" case.
 */
export function rectInside(rect: Rect, width: number, height: number): boolean {
  return rect.x + rect.width <= width && rect.y + rect.height <= height;
}

export function formatRect(rect: Rect): string {
  return `${rect.width}x${rect.height}+${rect.x}+${rect.y}`;
}
