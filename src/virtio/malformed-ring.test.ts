import { describe, expect, it } from "vitest";
import { DEFAULT_MMIO_BASE } from "./bar-layout.ts";
import {
  COMMON_QUEUE_DESC,
  COMMON_QUEUE_ENABLE,
  COMMON_QUEUE_SELECT,
  COMMON_QUEUE_SIZE,
  STATUS_ACKNOWLEDGE,
  STATUS_DEVICE_NEEDS_RESET,
  STATUS_DRIVER,
  STATUS_FEATURES_OK,
  VIRTQ_DESC_F_INDIRECT,
  VIRTQ_DESC_F_NEXT,
  VIRTQ_DESC_F_WRITE,
} from "./constants.ts";
import { ArrayGuestMemory } from "./guest-memory.ts";
import { VirtioPciTransport } from "./pci-transport.ts";
import { FakeGuestDriver } from "./testing/fake-guest-driver.ts";
import { FakePciHost } from "./testing/fake-pci-host.ts";
import { RecordingDevice } from "./testing/recording-device.ts";

const RAM = 1 << 20;

function setup() {
  const host = new FakePciHost();
  const memory = new ArrayGuestMemory(RAM);
  const device = new RecordingDevice();
  const logs: string[] = [];
  const transport = new VirtioPciTransport({ pciHost: host, memory, device, mmioBase: DEFAULT_MMIO_BASE, pciId: 0x78, classCode: 0x038000, subsystemId: 0x1100, log: (m) => logs.push(m) });
  const driver = new FakeGuestDriver(host, memory);
  driver.initialize();
  const buffer = driver.alloc(64);
  return { host, device, logs, transport, driver, buffer };
}

type Setup = ReturnType<typeof setup>;

/** Runs `provoke` (which must notify), then checks the common failure contract. */
function expectFault(s: Setup, provoke: () => void, logPattern: RegExp, queue = 0): void {
  const started = Date.now();
  expect(provoke).not.toThrow();
  expect(Date.now() - started).toBeLessThan(1000);
  expect(s.driver.readStatus() & STATUS_DEVICE_NEEDS_RESET).toBe(STATUS_DEVICE_NEEDS_RESET);
  expect(s.host.irqLevel).toBe(true);
  expect(s.driver.readIsr() & 2).toBe(2);
  expect(s.logs).toHaveLength(1);
  expect(s.logs[0]).toMatch(new RegExp(`^test-device: queue ${queue} \\(`));
  expect(s.logs[0]).toMatch(logPattern);
  expect(s.logs[0]).toMatch(/device needs reset$/);
  // The queue is stopped: a valid request now is not consumed.
  if (s.driver.queues[queue]) {
    const before = s.device.requests.length;
    s.driver.submit(queue, [new Uint8Array([1])], [1]);
    expect(s.device.requests.length).toBe(before);
  }
  // A reset brings the device back.
  s.driver.initialize();
  expect(s.driver.readStatus() & STATUS_DEVICE_NEEDS_RESET).toBe(0);
  s.driver.submit(queue, [new Uint8Array([1])], [1]);
  expect(s.driver.takeUsed(queue)).toHaveLength(1);
}

describe("malformed rings set DEVICE_NEEDS_RESET and log exactly what was wrong", () => {
  it("descriptor loop", () => {
    const s = setup();
    expectFault(
      s,
      () => {
        s.driver.writeDescriptor(0, 0, { addr: s.buffer, len: 4, flags: VIRTQ_DESC_F_NEXT, next: 1 });
        s.driver.writeDescriptor(0, 1, { addr: s.buffer, len: 4, flags: VIRTQ_DESC_F_NEXT, next: 0 });
        s.driver.publish(0, 0);
        s.driver.notify(0);
      },
      /descriptor 0: field next = 0: descriptor loop: chain from head 0 visits descriptor 0 twice/,
    );
  });

  it("a chain through every descriptor and back (longer than the queue) ends as a loop, in bounded time", () => {
    const s = setup();
    expectFault(
      s,
      () => {
        for (let i = 0; i < 16; i++) s.driver.writeDescriptor(0, i, { addr: s.buffer, len: 1, flags: VIRTQ_DESC_F_NEXT, next: (i + 1) % 16 });
        s.driver.publish(0, 5);
        s.driver.notify(0);
      },
      /descriptor 5: field next = 5: descriptor loop/,
    );
  });

  it("next index beyond the queue size", () => {
    const s = setup();
    expectFault(
      s,
      () => {
        s.driver.writeDescriptor(0, 0, { addr: s.buffer, len: 4, flags: VIRTQ_DESC_F_NEXT, next: 200 });
        s.driver.publish(0, 0);
        s.driver.notify(0);
      },
      /descriptor 200: field index = 200: descriptor index beyond queue size 16/,
    );
  });

  it("head index beyond the queue size in the avail ring", () => {
    const s = setup();
    expectFault(
      s,
      () => {
        s.driver.publish(0, 99);
        s.driver.notify(0);
      },
      /avail ring slot 0: field ring\[\] = 99: head descriptor index beyond queue size 16/,
    );
  });

  it("indirect descriptor inside an indirect table", () => {
    const s = setup();
    expectFault(
      s,
      () => {
        const table = s.driver.alloc(32, 16);
        s.driver.writeDescriptor(0, 0, { addr: s.buffer, len: 4, flags: VIRTQ_DESC_F_NEXT, next: 1 }, table);
        s.driver.writeDescriptor(0, 1, { addr: table, len: 32, flags: VIRTQ_DESC_F_INDIRECT, next: 0 }, table);
        s.driver.writeDescriptor(0, 3, { addr: table, len: 32, flags: VIRTQ_DESC_F_INDIRECT, next: 0 });
        s.driver.publish(0, 3);
        s.driver.notify(0);
      },
      /indirect descriptor 1 \(table at descriptor 3\): field flags = 0x4: INDIRECT descriptor inside an indirect table/,
    );
  });

  it("loop inside an indirect table", () => {
    const s = setup();
    expectFault(
      s,
      () => {
        const table = s.driver.alloc(32, 16);
        s.driver.writeDescriptor(0, 0, { addr: s.buffer, len: 4, flags: VIRTQ_DESC_F_NEXT, next: 1 }, table);
        s.driver.writeDescriptor(0, 1, { addr: s.buffer, len: 4, flags: VIRTQ_DESC_F_NEXT, next: 0 }, table);
        s.driver.writeDescriptor(0, 0, { addr: table, len: 32, flags: VIRTQ_DESC_F_INDIRECT, next: 0 });
        s.driver.publish(0, 0);
        s.driver.notify(0);
      },
      /indirect descriptor 0 \(table at descriptor 0\): field next = 0: descriptor loop inside the indirect table/,
    );
  });

  it("indirect table length not a multiple of 16", () => {
    const s = setup();
    expectFault(
      s,
      () => {
        s.driver.writeDescriptor(0, 2, { addr: s.buffer, len: 20, flags: VIRTQ_DESC_F_INDIRECT, next: 0 });
        s.driver.publish(0, 2);
        s.driver.notify(0);
      },
      /descriptor 2: field len = 0x14: indirect table length is not a non-zero multiple of 16/,
    );
  });

  it("INDIRECT together with NEXT", () => {
    const s = setup();
    expectFault(
      s,
      () => {
        s.driver.writeDescriptor(0, 0, { addr: s.buffer, len: 16, flags: VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, next: 1 });
        s.driver.publish(0, 0);
        s.driver.notify(0);
      },
      /descriptor 0: field flags = 0x5: INDIRECT and NEXT set together/,
    );
  });

  it("indirect table outside guest RAM", () => {
    const s = setup();
    expectFault(
      s,
      () => {
        s.driver.writeDescriptor(0, 0, { addr: RAM - 16, len: 32, flags: VIRTQ_DESC_F_INDIRECT, next: 0 });
        s.driver.publish(0, 0);
        s.driver.notify(0);
      },
      /descriptor 0: field addr\/len = 0xffff0\/0x20: indirect table lies outside guest RAM \(0x100000 bytes\)/,
    );
  });

  it("buffer crossing the end of guest RAM", () => {
    const s = setup();
    expectFault(
      s,
      () => {
        s.driver.writeDescriptor(0, 0, { addr: RAM - 2, len: 4, flags: 0, next: 0 });
        s.driver.publish(0, 0);
        s.driver.notify(0);
      },
      /descriptor 0: field addr\/len = 0xffffe\/0x4: buffer lies outside guest RAM \(0x100000 bytes\)/,
    );
  });

  it("buffer address above 4 GiB (64-bit address)", () => {
    const s = setup();
    expectFault(
      s,
      () => {
        s.driver.writeDescriptor(0, 0, { addr: 0x1_0000_1000, len: 4, flags: 0, next: 0 });
        s.driver.publish(0, 0);
        s.driver.notify(0);
      },
      /descriptor 0: field addr\/len = 0x100001000\/0x4: buffer lies outside guest RAM/,
    );
  });

  it("a device-readable descriptor after a device-writable one", () => {
    const s = setup();
    expectFault(
      s,
      () => {
        s.driver.writeDescriptor(0, 0, { addr: s.buffer, len: 4, flags: VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, next: 1 });
        s.driver.writeDescriptor(0, 1, { addr: s.buffer + 8, len: 4, flags: 0, next: 0 });
        s.driver.publish(0, 0);
        s.driver.notify(0);
      },
      /descriptor 1: field flags = 0x0: device-readable descriptor after a device-writable one/,
    );
  });

  it("avail idx jumping by more than the queue size", () => {
    const s = setup();
    expectFault(
      s,
      () => {
        s.driver.writeDescriptor(0, 0, { addr: s.buffer, len: 4, flags: 0, next: 0 });
        s.driver.publish(0, 0, 17);
        s.driver.notify(0);
      },
      /avail ring: field idx = 17: jumped 17 entries past the device's position 0 \(queue size 16\)/,
    );
  });

  it("indirect descriptors when the feature was not negotiated", () => {
    const s = setup();
    s.driver.initialize({ features: 1n << 32n });
    expectFault(
      s,
      () => {
        const table = s.driver.alloc(16, 16);
        s.driver.writeDescriptor(0, 0, { addr: s.buffer, len: 4, flags: 0, next: 0 }, table);
        s.driver.writeDescriptor(0, 0, { addr: table, len: 16, flags: VIRTQ_DESC_F_INDIRECT, next: 0 });
        s.driver.publish(0, 0);
        s.driver.notify(0);
      },
      /descriptor 0: field flags = 0x4: INDIRECT used but VIRTIO_RING_F_INDIRECT_DESC was not negotiated/,
    );
  });
});

describe("bad queue programming at enable time", () => {
  function programQueue(s: Setup, size: number, desc: number) {
    s.driver.writeStatus(0);
    s.driver.writeStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER);
    s.driver.writeDriverFeatures(1n << 32n);
    s.driver.writeStatus(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
    s.driver.write16(s.driver.common + COMMON_QUEUE_SELECT, 0);
    s.driver.write16(s.driver.common + COMMON_QUEUE_SIZE, size);
    s.driver.write64(s.driver.common + COMMON_QUEUE_DESC, desc);
    s.driver.write64(s.driver.common + COMMON_QUEUE_DESC + 8, 0x2000);
    s.driver.write64(s.driver.common + COMMON_QUEUE_DESC + 16, 0x3000);
    s.driver.write16(s.driver.common + COMMON_QUEUE_ENABLE, 1);
  }

  it("queue size not a power of two", () => {
    const s = setup();
    s.logs.length = 0;
    programQueue(s, 12, 0x1000);
    expect(s.driver.readStatus() & STATUS_DEVICE_NEEDS_RESET).toBe(STATUS_DEVICE_NEEDS_RESET);
    expect(s.driver.read16(s.driver.common + COMMON_QUEUE_ENABLE)).toBe(0);
    expect(s.logs[0]).toMatch(/queue 0 \(requestq\): common config: field queue_size = 12: must be a power of two in 1\.\.16/);
  });

  it("descriptor table above 4 GiB / outside RAM", () => {
    const s = setup();
    s.logs.length = 0;
    programQueue(s, 16, 0x1_0000_0000);
    expect(s.driver.readStatus() & STATUS_DEVICE_NEEDS_RESET).toBe(STATUS_DEVICE_NEEDS_RESET);
    expect(s.logs[0]).toMatch(/field queue_desc = 0x100000000: ring part of 256 bytes lies outside guest RAM/);
  });

  it("misaligned descriptor table", () => {
    const s = setup();
    s.logs.length = 0;
    programQueue(s, 16, 0x1008);
    expect(s.logs[0]).toMatch(/field queue_desc = 0x1008: not aligned to 16 bytes/);
  });
});
