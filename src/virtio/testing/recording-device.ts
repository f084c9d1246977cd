import type { DeviceTransport, QueueDescription, VirtioDeviceModel } from "../device-model.ts";
import type { VirtioRequest } from "../virtio-request.ts";

/**
 * A device model for transport tests: 8 bytes of config, two queues, records every request
 * and (unless `autoComplete` is off) answers by writing the readable bytes reversed.
 */
export class RecordingDevice implements VirtioDeviceModel {
  readonly deviceType = 16;
  readonly name = "test-device";
  readonly queues: QueueDescription[] = [
    { name: "requestq", maxSize: 16 },
    { name: "eventq", maxSize: 16 },
  ];
  readonly deviceFeatures = 1n << 1n;
  readonly configSize = 8;
  readonly config = new Uint8Array(8);
  readonly requests: VirtioRequest[] = [];
  autoComplete = true;
  resets = 0;
  transport: DeviceTransport | null = null;

  attach(transport: DeviceTransport): void {
    this.transport = transport;
  }
  readConfigByte(offset: number): number {
    return this.config[offset];
  }
  writeConfigByte(offset: number, value: number): void {
    this.config[offset] = value;
  }
  handleRequest(request: VirtioRequest): void {
    this.requests.push(request);
    if (!this.autoComplete) return;
    const data = request.readBytes(0, request.readableLength).reverse();
    const length = Math.min(data.length, request.writableLength);
    request.writeBytes(0, data.subarray(0, length));
    request.complete(length);
  }
  reset(): void {
    this.resets++;
    this.requests.length = 0;
  }
}
