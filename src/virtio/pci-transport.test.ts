import { describe, expect, it, vi } from "vitest";
import { BAR_SIZE, DEFAULT_MMIO_BASE } from "./bar-layout.ts";
import {
  COMMON_CONFIG_GENERATION,
  COMMON_NUM_QUEUES,
  COMMON_QUEUE_ENABLE,
  COMMON_QUEUE_SELECT,
  COMMON_QUEUE_SIZE,
  COMMON_MSIX_CONFIG,
  STATUS_ACKNOWLEDGE,
  STATUS_DEVICE_NEEDS_RESET,
  STATUS_DRIVER,
  STATUS_DRIVER_OK,
  STATUS_FEATURES_OK,
  VIRTQ_AVAIL_F_NO_INTERRUPT,
  VIRTIO_PCI_CAP_COMMON_CFG,
  VIRTIO_PCI_CAP_DEVICE_CFG,
  VIRTIO_PCI_CAP_ISR_CFG,
  VIRTIO_PCI_CAP_NOTIFY_CFG,
} from "./constants.ts";
import { ArrayGuestMemory } from "./guest-memory.ts";
import { VirtioPciTransport } from "./pci-transport.ts";
import { FakeGuestDriver } from "./testing/fake-guest-driver.ts";
import { FakePciHost } from "./testing/fake-pci-host.ts";
import { RecordingDevice } from "./testing/recording-device.ts";

function setup(memorySize = 1 << 20) {
  const host = new FakePciHost();
  const memory = new ArrayGuestMemory(memorySize);
  const device = new RecordingDevice();
  const logs: string[] = [];
  const transport = new VirtioPciTransport({
    pciHost: host,
    memory,
    device,
    mmioBase: DEFAULT_MMIO_BASE,
    pciId: 0x0f << 3,
    classCode: 0x038000,
    subsystemId: 0x1100,
    log: (m) => logs.push(m),
  });
  const driver = new FakeGuestDriver(host, memory);
  return { host, memory, device, logs, transport, driver };
}

const bytes = (...values: number[]) => new Uint8Array(values);

describe("PCI config space", () => {
  it("has virtio ids, class, revision, INTx pin, a fixed 32-bit memory BAR and four capabilities", () => {
    const { host, driver } = setup();
    const reg = host.registration!;
    const view = new DataView(reg.configSpace.buffer);
    expect(view.getUint16(0, true)).toBe(0x1af4);
    expect(view.getUint16(2, true)).toBe(0x1040 + 16);
    expect(reg.configSpace[8]).toBe(1); // revision
    expect(reg.configSpace[0x0b]).toBe(0x03); // display controller
    expect(reg.configSpace[0x0a]).toBe(0x80); // other
    expect(view.getUint16(0x06, true) & 0x10).toBe(0x10); // capability list
    expect(view.getUint16(0x2c, true)).toBe(0x1af4);
    expect(view.getUint16(0x2e, true)).toBe(0x1100);
    expect(reg.configSpace[0x3d]).toBe(1); // INTA
    expect(view.getUint32(0x10, true)).toBe(DEFAULT_MMIO_BASE); // memory, 32-bit, non-prefetchable
    expect(reg.bars).toEqual([{ size: BAR_SIZE }]);
    expect(host.mmioBase).toBe(DEFAULT_MMIO_BASE);
    expect(host.mmioSize).toBe(BAR_SIZE);
    for (const type of [VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_CAP_DEVICE_CFG]) {
      const cap = driver.cap(type);
      expect(cap.offset + cap.length).toBeLessThanOrEqual(BAR_SIZE);
    }
    expect(driver.cap(VIRTIO_PCI_CAP_COMMON_CFG).length).toBeGreaterThanOrEqual(0x38);
    expect(driver.cap(VIRTIO_PCI_CAP_NOTIFY_CFG).multiplier).toBe(4);
    expect(driver.cap(VIRTIO_PCI_CAP_DEVICE_CFG).length).toBe(8);
  });

  it("rejects a BAR base that is not granule aligned", () => {
    expect(() =>
      new VirtioPciTransport({ pciHost: new FakePciHost(), memory: new ArrayGuestMemory(4096), device: new RecordingDevice(), mmioBase: 0xfe001000, pciId: 8, classCode: 0, subsystemId: 0, log: () => {} }),
    ).toThrow(/mmioBase/);
  });
});

describe("feature negotiation and status", () => {
  it("offers VERSION_1 + INDIRECT_DESC + device bits and accepts a subset with VERSION_1", () => {
    const { driver, transport } = setup();
    expect(driver.deviceFeatures()).toBe((1n << 32n) | (1n << 28n) | (1n << 1n));
    driver.initialize({ features: (1n << 32n) | (1n << 1n) });
    expect(driver.readStatus()).toBe(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
    expect(transport.negotiatedFeatures).toBe((1n << 32n) | (1n << 1n));
  });

  it("refuses FEATURES_OK without VERSION_1 and logs why", () => {
    const { driver, logs } = setup();
    driver.writeStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER);
    driver.writeDriverFeatures(1n << 1n);
    driver.writeStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
    expect(driver.readStatus() & STATUS_FEATURES_OK).toBe(0);
    expect(logs.join("\n")).toMatch(/lack VIRTIO_F_VERSION_1/);
  });

  it("refuses FEATURES_OK with bits the device did not offer", () => {
    const { driver, logs } = setup();
    driver.writeStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER);
    driver.writeDriverFeatures((1n << 32n) | (1n << 29n));
    driver.writeStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
    expect(driver.readStatus() & STATUS_FEATURES_OK).toBe(0);
    expect(logs.join("\n")).toMatch(/unoffered bits 0x20000000/);
  });

  it("ignores driver feature writes after FEATURES_OK", () => {
    const { driver, transport } = setup();
    driver.initialize({ features: 1n << 32n });
    driver.writeDriverFeatures((1n << 32n) | (1n << 28n));
    expect(transport.negotiatedFeatures).toBe(1n << 32n);
  });

  it("exposes num_queues, per-queue size, MSI-X = NO_VECTOR, and assembles 16-bit fields from byte writes", () => {
    const { driver } = setup();
    expect(driver.read16(driver.common + COMMON_NUM_QUEUES)).toBe(2);
    expect(driver.read16(driver.common + COMMON_MSIX_CONFIG)).toBe(0xffff);
    driver.write16(driver.common + COMMON_QUEUE_SELECT, 1);
    expect(driver.read16(driver.common + COMMON_QUEUE_SIZE)).toBe(16);
    driver.write16(driver.common + COMMON_QUEUE_SIZE, 8);
    expect(driver.read16(driver.common + COMMON_QUEUE_SIZE)).toBe(8);
    driver.write16(driver.common + COMMON_QUEUE_SELECT, 7);
    expect(driver.read16(driver.common + COMMON_QUEUE_SIZE)).toBe(0);
  });

  it("writing status 0 resets queues, features, ISR and the device model", () => {
    const { driver, device, transport, host } = setup();
    driver.initialize();
    device.autoComplete = false;
    driver.submit(0, [bytes(1)], [4]);
    expect(device.requests).toHaveLength(1);
    const pending = device.requests[0];
    driver.writeStatus(0);
    expect(device.resets).toBe(2); // initialize() also resets first
    expect(driver.readStatus()).toBe(0);
    expect(transport.negotiatedFeatures).toBe(0n);
    driver.write16(driver.common + COMMON_QUEUE_SELECT, 0);
    expect(driver.read16(driver.common + COMMON_QUEUE_ENABLE)).toBe(0);
    // A completion from before the reset must not touch the (re-initialised) rings.
    driver.initialize();
    pending.writeBytes(0, bytes(9));
    pending.complete(1);
    expect(driver.takeUsed(0)).toEqual([]);
    expect(host.irqLevel).toBe(false);
  });
});

describe("virtqueues", () => {
  it("delivers chained requests, writes the used ring and raises INTx; ISR is read-to-clear", () => {
    const { driver, host, transport } = setup();
    driver.initialize();
    const { head, writableAddresses } = driver.submit(0, [bytes(1, 2), bytes(3)], [2, 1]);
    expect(driver.takeUsed(0)).toEqual([{ id: head, len: 3 }]);
    expect([...driver.get(writableAddresses[0], 2), ...driver.get(writableAddresses[1], 1)]).toEqual([3, 2, 1]);
    expect(host.irqLevel).toBe(true);
    expect(driver.readIsr()).toBe(1);
    expect(host.irqLevel).toBe(false);
    expect(driver.readIsr()).toBe(0);
    expect(transport.stats.requestsCompleted).toBe(1);
  });

  it("handles indirect descriptors", () => {
    const { driver } = setup();
    driver.initialize();
    const { head, writableAddresses } = driver.submit(0, [bytes(5, 6, 7)], [3], { indirect: true });
    expect(driver.takeUsed(0)).toEqual([{ id: head, len: 3 }]);
    expect([...driver.get(writableAddresses[0], 3)]).toEqual([7, 6, 5]);
  });

  it("completes asynchronously and out of order", () => {
    const { driver, device } = setup();
    driver.initialize();
    device.autoComplete = false;
    const a = driver.submit(0, [bytes(1)], [1]);
    const b = driver.submit(0, [bytes(2)], [1]);
    expect(driver.takeUsed(0)).toEqual([]);
    device.requests[1].complete(0);
    device.requests[0].complete(0);
    device.requests[0].complete(0); // idempotent
    expect(driver.takeUsed(0)).toEqual([
      { id: b.head, len: 0 },
      { id: a.head, len: 0 },
    ]);
  });

  it("respects VIRTQ_AVAIL_F_NO_INTERRUPT", () => {
    const { driver, host } = setup();
    driver.initialize();
    driver.setAvailFlags(0, VIRTQ_AVAIL_F_NO_INTERRUPT);
    driver.submit(0, [bytes(1)], [1]);
    expect(driver.takeUsed(0)).toHaveLength(1);
    expect(host.irqLevel).toBe(false);
  });

  it("holds notifications until DRIVER_OK", () => {
    const { driver, device } = setup();
    driver.writeStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER);
    driver.writeDriverFeatures(1n << 32n);
    driver.writeStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
    driver.setupQueue(0, 16);
    driver.submit(0, [bytes(1)], [1]);
    expect(device.requests).toHaveLength(0);
    driver.writeStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
    expect(device.requests).toHaveLength(1);
  });

  it("accepts a notify as a 32-bit write too", () => {
    const { driver, device } = setup();
    driver.initialize();
    driver.submit(1, [bytes(1)], [1], { notify: false });
    driver.write32(driver.queues[1].notifyOffset, 1);
    expect(device.requests).toHaveLength(1);
  });

  it("wraps the ring indices past 65535", () => {
    const { driver } = setup();
    driver.initialize({ queueSize: 4 });
    for (let i = 0; i < 70; i++) {
      driver.submit(0, [bytes(i & 0xff)], [1]);
      expect(driver.takeUsed(0)).toHaveLength(1);
    }
  });
});

describe("config change interrupts", () => {
  it("raises ISR bit 1 and bumps config_generation", () => {
    const { driver, transport, host } = setup();
    driver.initialize();
    const generation = driver.read8(driver.common + COMMON_CONFIG_GENERATION);
    transport.notifyConfigChange();
    expect(host.irqLevel).toBe(true);
    expect(driver.read8(driver.common + COMMON_CONFIG_GENERATION)).toBe((generation + 1) & 0xff);
    expect(driver.readIsr()).toBe(2);
    expect(host.irqLevel).toBe(false);
  });

  it("defers the interrupt until DRIVER_OK", () => {
    const { driver, transport, host } = setup();
    transport.notifyConfigChange();
    expect(host.irqLevel).toBe(false);
    driver.initialize();
    // initialize() resets first, which drops the pending change: the driver reads config anyway.
    expect(host.irqLevel).toBe(false);
    driver.writeStatus(STATUS_ACKNOWLEDGE);
    expect(driver.readStatus() & STATUS_DEVICE_NEEDS_RESET).toBe(0);
  });

  it("device config reads and writes go to the device model byte by byte", () => {
    const { driver, device } = setup();
    driver.write32(driver.deviceCfg + 4, 0x11223344);
    expect([...device.config.subarray(4, 8)]).toEqual([0x44, 0x33, 0x22, 0x11]);
    expect(driver.read32(driver.deviceCfg + 4)).toBe(0x11223344);
  });
});

describe("byte-wise register assembly (v86 splits 16-bit accesses)", () => {
  it("assembles queue_select from both bytes and reads 64-bit ring addresses back per half", () => {
    const { driver } = setup();
    driver.write16(driver.common + COMMON_QUEUE_SELECT, 0x0100);
    expect(driver.read16(driver.common + COMMON_QUEUE_SELECT)).toBe(0x0100);
    expect(driver.read16(driver.common + COMMON_QUEUE_SIZE)).toBe(0); // no queue 256
    driver.write16(driver.common + COMMON_QUEUE_SELECT, 1);
    driver.write64(driver.common + 0x20, 0x1_2345_6780);
    expect(driver.read32(driver.common + 0x20)).toBe(0x23456780);
    expect(driver.read32(driver.common + 0x24)).toBe(1);
  });

  it("ignores the high byte of queue_enable and writes of 0", () => {
    const { driver } = setup();
    driver.initialize();
    driver.write16(driver.common + COMMON_QUEUE_SELECT, 0);
    driver.write8(driver.common + COMMON_QUEUE_ENABLE + 1, 0);
    driver.write8(driver.common + COMMON_QUEUE_ENABLE, 0);
    expect(driver.read16(driver.common + COMMON_QUEUE_ENABLE)).toBe(1);
  });

  it("drops completions for a queue that faulted meanwhile", () => {
    const { driver, device, logs } = setup();
    driver.initialize();
    device.autoComplete = false;
    driver.submit(0, [bytes(1)], [1]);
    driver.publish(0, 0, 40); // idx jump: fault
    driver.notify(0);
    expect(logs.at(-1)).toMatch(/avail ring: field idx/);
    device.requests[0].complete(1);
    expect(driver.takeUsed(0)).toEqual([]);
  });
});

describe("emulator safety", () => {
  it("an exception in the device model during an MMIO access is logged, never thrown into v86", () => {
    const { driver, device, logs } = setup();
    driver.initialize();
    device.reset = () => {
      throw new Error("backend exploded");
    };
    expect(() => driver.writeStatus(0)).not.toThrow();
    expect(logs.at(-1)).toMatch(/internal error during MMIO write8 at BAR offset 0x14: Error: backend exploded/);
  });
});

describe("device handler failures", () => {
  it("a handler that throws gets its request returned empty and a log line; the queue keeps working", () => {
    const { driver, device, logs } = setup();
    driver.initialize();
    const original = device.handleRequest.bind(device);
    device.handleRequest = () => {
      throw new Error("handler bug");
    };
    const { head } = driver.submit(0, [bytes(1)], [1]);
    expect(driver.takeUsed(0)).toEqual([{ id: head, len: 0 }]);
    expect(logs.at(-1)).toMatch(/queue 0 \(requestq\): device handler threw on descriptor \d+: Error: handler bug/);
    device.handleRequest = original;
    driver.submit(0, [bytes(2)], [1]);
    expect(driver.takeUsed(0)).toHaveLength(1);
  });
});

describe("INTx re-assert for an ISR left unread", () => {
  it("pulses the line once per period while the same interrupt stays unread; a read stops it", () => {
    vi.useFakeTimers();
    try {
      const { driver, host, transport, logs } = setup();
      driver.initialize();
      driver.submit(0, [bytes(1)], []);
      expect(host.irqLevel).toBe(true);
      const raises = host.raiseCount;
      vi.advanceTimersByTime(999);
      expect(host.raiseCount).toBe(raises);
      vi.advanceTimersByTime(1);
      expect(host.raiseCount).toBe(raises + 1);
      expect(host.irqLevel).toBe(true);
      expect(transport.stats.interruptsReasserted).toBe(1);
      expect(logs.some((l) => /unread 1000 ms after the interrupt/.test(l))).toBe(true);
      vi.advanceTimersByTime(1000);
      expect(transport.stats.interruptsReasserted).toBe(2);
      expect(driver.readIsr()).toBe(1);
      expect(host.irqLevel).toBe(false);
      vi.advanceTimersByTime(5000);
      expect(transport.stats.interruptsReasserted).toBe(2);
      expect(host.irqLevel).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it("does not pulse an interrupt the guest read and that was raised again meanwhile (a fresh edge)", () => {
    vi.useFakeTimers();
    try {
      const { driver, transport } = setup();
      driver.initialize();
      driver.submit(0, [bytes(1)], []);
      vi.advanceTimersByTime(600);
      driver.readIsr();
      driver.submit(0, [bytes(2)], []); // new edge at t=600
      vi.advanceTimersByTime(500); // the first check (t=1000) sees a newer edge and re-arms
      expect(transport.stats.interruptsReasserted).toBe(0);
      vi.advanceTimersByTime(1000); // t=2000: the same edge is still unread
      expect(transport.stats.interruptsReasserted).toBe(1);
      transport.reset();
      vi.advanceTimersByTime(5000);
      expect(transport.stats.interruptsReasserted).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
