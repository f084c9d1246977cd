/**
 * Instant start in the toolbar: a badge saying how this PC came up ("from snapshot 1.4 s" or
 * "cold boot") and a button that discards the stored snapshot (the next boot is cold and saves a
 * fresh one). Hidden when the page runs with ?snapshot=0.
 */
import type { VirtualGpuMachine } from "../../src/machine/machine.ts";

export class SnapshotControl {
  readonly element: HTMLElement;
  private readonly badge: HTMLSpanElement;
  private readonly discard: HTMLButtonElement;

  constructor(private readonly machine: VirtualGpuMachine, onError: (message: string) => void) {
    this.element = document.createElement("div");
    this.element.className = "button-group snapshot-control";
    this.badge = document.createElement("span");
    this.badge.className = "snapshot-badge";
    this.badge.id = "snapshot-state";
    this.discard = document.createElement("button");
    this.discard.type = "button";
    this.discard.className = "tool-button";
    this.discard.id = "snapshot-discard";
    this.discard.textContent = "Discard snapshot";
    this.discard.title = "Delete the stored snapshots (at the shell and with the demo running): the next start boots Linux and saves new ones";
    this.discard.addEventListener("click", () => {
      machine.discardSnapshot().then(
        () => {
          this.show("snapshot discarded", "The next start boots Linux and saves a new snapshot");
          void this.updateButton();
        },
        (error: unknown) => onError(error instanceof Error ? error.message : String(error)),
      );
    });
    this.element.append(this.badge, this.discard);
    machine.on("boot", () => this.show("booting…", "A PC is starting"));
    machine.on("started", ({ source }) => this.show(source === "snapshot" ? "restoring…" : "booting", source === "snapshot" ? "Restoring the stored snapshot" : "Booting Linux (no snapshot stored yet)"));
    const running = (point: string) => (point === "shell" ? "" : ` with ${point.split(":")[1]} running`);
    machine.on("restored", ({ ms, bytes, point, replay }) =>
      this.show(
        `restored from snapshot ${(ms / 1000).toFixed(1)} s${running(point)}`,
        `Restored ${Math.round(bytes / 1e6)} MB of saved state${replay ? `; ${replay.calls} virgl calls replayed into the GPU worker in ${Math.round(replay.ms)} ms` : ""}`,
      ),
    );
    machine.on("snapshotSaved", ({ bytes, point }) => this.show(`booted; snapshot saved${running(point)} (${Math.round(bytes / 1e6)} MB)`, "The next visit, reset or demo switch restores it"));
    machine.on("snapshotError", ({ operation, message }) => this.show(`snapshot ${operation} failed`, message));
    machine.on("firstFrame", ({ sinceBootMs, source }) => {
      this.badge.title = `${this.badge.title}\nFirst frame ${(sinceBootMs / 1000).toFixed(1)} s after the ${source === "snapshot" ? "restore" : "boot"} began`;
    });
    void this.updateButton();
  }

  private show(text: string, title: string): void {
    this.badge.textContent = text;
    this.badge.title = title;
    void this.updateButton();
  }

  /** Enables the discard button when a snapshot is stored. */
  private async updateButton(): Promise<void> {
    const info = await this.machine.snapshotInfo().catch(() => null);
    this.discard.disabled = info === null;
  }
}
