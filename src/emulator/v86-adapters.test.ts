import { describe, expect, it } from "vitest";
import type { V86 } from "v86";
import { V86GuestMemory } from "./v86-guest-memory.ts";
import { freezeCpu, getV86Internals, type V86Cpu, type V86PciDevice } from "./v86-internals.ts";
import { V86PciHost } from "./v86-pci-host.ts";

type MmapArgs = [number, number, (a: number) => number, (a: number, v: number) => void, (a: number) => number, (a: number, v: number) => void];

function fakeCpu() {
  const registered: V86PciDevice[] = [];
  const mapped: MmapArgs[] = [];
  const irqs: string[] = [];
  const wasm_memory = new WebAssembly.Memory({ initial: 2 });
  const cpu: V86Cpu = {
    wasm_memory,
    mem8: { byteOffset: 4096 },
    memory_size: Uint32Array.of(8192),
    devices: {
      pci: {
        register_device: (device) => {
          registered.push(device);
          return new Int32Array(64);
        },
        raise_irq: (id) => irqs.push(`raise ${id}`),
        lower_irq: (id) => irqs.push(`lower ${id}`),
      },
      uart0: { iir: 1, ier: 0, irq: 4, CheckInterrupt: () => {} },
    },
    device_lower_irq: (irq) => irqs.push(`isa lower ${irq}`),
    io: { mmap_register: (...args: MmapArgs) => mapped.push(args) },
    reboot_internal: () => {},
    in_hlt: new Uint8Array(1),
    flags: Int32Array.of(0x202),
  };
  return { cpu, registered, mapped, irqs };
}

describe("getV86Internals", () => {
  it("accepts the verified shape", () => {
    const { cpu } = fakeCpu();
    expect(getV86Internals({ v86: { cpu } } as unknown as V86).cpu).toBe(cpu);
  });

  it("names the first missing path", () => {
    const { cpu } = fakeCpu();
    const broken = { ...cpu, io: {} };
    expect(() => getV86Internals({ v86: { cpu: broken } } as unknown as V86)).toThrow(
      /emulator\.v86\.cpu\.io\.mmap_register is missing/,
    );
    expect(() => getV86Internals({} as V86)).toThrow(/emulator\.v86 is missing/);
  });
});

describe("freezeCpu", () => {
  it("halts the CPU with interrupts off and leaves the other flags alone", () => {
    const { cpu } = fakeCpu();
    cpu.flags[0] = 0x246; // IF | ZF | PF | reserved bit 1
    freezeCpu(cpu);
    expect(cpu.in_hlt[0]).toBe(1);
    expect(cpu.flags[0]).toBe(0x046);
  });
});

describe("V86PciHost", () => {
  it("registers config space and maps MMIO with region-relative offsets", () => {
    const { cpu, registered, mapped, irqs } = fakeCpu();
    const host = new V86PciHost(cpu);
    const config = new Uint8Array(256);
    config[0] = 0xf4;
    host.registerDevice({ pciId: 0x78, configSpace: config, bars: [{ size: 0x20000 }], name: "t" });
    expect(registered[0]).toMatchObject({ pci_id: 0x78, pci_bars: [{ size: 0x20000 }], name: "t" });
    expect(registered[0]!.pci_space[0]).toBe(0xf4);
    expect(() => host.registerDevice({ pciId: 0x78, configSpace: config, bars: [], name: "t" })).toThrow(/already/);

    const seen: number[] = [];
    host.mapMmio(0xfe000000, 0x20000, {
      read8: (o) => (seen.push(o), 1),
      read32: (o) => (seen.push(o), 2),
      write8: (o) => seen.push(o),
      write32: (o) => seen.push(o),
    });
    const [base, size, r8, w8, r32, w32] = mapped[0]!;
    expect([base, size]).toEqual([0xfe000000, 0x20000]);
    // v86 passes addresses above 2 GiB as negative int32s.
    r8(0xfe000010 | 0);
    w8(0xfe000011, 0);
    r32(0xfe000014 | 0);
    w32(0xfe000018, 0);
    expect(seen).toEqual([0x10, 0x11, 0x14, 0x18]);
    expect(() => host.mapMmio(0xfe001000, 0x20000, { read8: () => 0, read32: () => 0, write8() {}, write32() {} })).toThrow(/128 KiB/);

    host.raiseIrq(0x78);
    host.lowerIrq(0x78);
    expect(irqs).toEqual(["raise 120", "lower 120"]);
  });

  it("defers an interrupt raised inside a guest MMIO access until the access has returned", async () => {
    const { cpu, mapped, irqs } = fakeCpu();
    const host = new V86PciHost(cpu);
    // The device completes a request synchronously in its notify write (as 2D commands do).
    let duringAccess: string[] = [];
    host.mapMmio(0xfe000000, 0x20000, {
      read8: () => 0,
      read32: () => 0,
      write8: () => {},
      write32: (offset) => {
        if (offset === 0x3000) host.raiseIrq(0x78);
        if (offset === 0x3004) host.lowerIrq(0x78); // ISR read-to-clear before the raise landed
        if (offset === 0x3008) (host.lowerIrq(0x78), host.raiseIrq(0x78)); // a re-assert pulse
        duringAccess = [...irqs];
      },
    });
    const write32 = mapped[0]![5];
    write32(0xfe003000, 0);
    expect(duringAccess).toEqual([]); // v86 would deliver the interrupt mid-instruction
    expect(irqs).toEqual([]);
    await Promise.resolve();
    expect(irqs).toEqual(["raise 120"]);

    // Raised then lowered within one slice: nothing is left to signal, the line stays low.
    irqs.length = 0;
    write32(0xfe003000, 0);
    write32(0xfe003004, 0);
    await Promise.resolve();
    expect(irqs).toEqual(["lower 120"]);

    // A pulse keeps its edge: lowered now, raised once the access has returned.
    irqs.length = 0;
    write32(0xfe003008, 0);
    expect(irqs).toEqual(["lower 120"]);
    await Promise.resolve();
    expect(irqs).toEqual(["lower 120", "raise 120"]);

    // Outside a guest access (a worker reply, a timer) the line is raised at once.
    irqs.length = 0;
    host.raiseIrq(0x78);
    expect(irqs).toEqual(["raise 120"]);
  });
});

describe("V86GuestMemory", () => {
  it("views guest RAM at mem8's offset and follows wasm memory growth", () => {
    const { cpu } = fakeCpu();
    const memory = new V86GuestMemory(cpu);
    const first = memory.bytes();
    expect(first.byteOffset).toBe(4096);
    expect(first.length).toBe(8192);
    first[0] = 42;
    expect(memory.bytes()).toBe(first);
    cpu.wasm_memory.grow(1);
    const second = memory.bytes();
    expect(first.byteLength).toBe(0); // detached by the growth
    expect(second.length).toBe(8192);
    expect(second[0]).toBe(42);
  });
});
