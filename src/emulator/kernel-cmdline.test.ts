import { describe, expect, it } from "vitest";
import { buildKernelCmdline, guestRunArg } from "./kernel-cmdline.ts";

describe("buildKernelCmdline", () => {
  it("starts with the serial console and the fast defaults, then extras", () => {
    const line = buildKernelCmdline(["webvirgl.run=shell", ""]);
    expect(line.startsWith("console=ttyS0 quiet")).toBe(true);
    expect(line).toContain("tsc=reliable");
    // Our kernel has neither the crypto self-tests nor PnP BIOS: their switches would only reach /init.
    expect(line).not.toContain("cryptomgr.notests");
    expect(line.endsWith(" webvirgl.run=shell")).toBe(true);
    expect(buildKernelCmdline(`a  ${guestRunArg("glmark2")}`).endsWith(" a webvirgl.run=glmark2")).toBe(true);
  });
});
