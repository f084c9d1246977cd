/** One request waiting in a queue's completion order. */
export interface CompletionTicket {
  readonly fenced: boolean;
  done: boolean;
  complete: (() => void) | null;
}

/**
 * Completion order on one virtqueue. Unfenced requests complete as soon as they are done, in
 * any order; a request carrying VIRTIO_GPU_FLAG_FENCE completes only once every request
 * submitted before it on the same queue has completed (VIRTIO 1.2 5.7.6.7: the fence
 * signals that all earlier work finished). 2D commands finish synchronously, so this only
 * reorders once 3D handlers answer asynchronously.
 */
export class OrderedCompletion {
  private tickets: CompletionTicket[] = [];

  begin(fenced: boolean): CompletionTicket {
    const ticket: CompletionTicket = { fenced, done: false, complete: null };
    this.tickets.push(ticket);
    return ticket;
  }

  finish(ticket: CompletionTicket, complete: () => void): void {
    ticket.done = true;
    ticket.complete = complete;
    this.drain();
  }

  /** Drops every waiting request (device reset): their completions never run. */
  clear(): void {
    this.tickets = [];
  }

  get pending(): number {
    return this.tickets.length;
  }

  private drain(): void {
    let everythingBeforeCompleted = true;
    const remaining: CompletionTicket[] = [];
    const ready: (() => void)[] = [];
    for (const ticket of this.tickets) {
      if (ticket.done && ticket.complete && (!ticket.fenced || everythingBeforeCompleted)) {
        ready.push(ticket.complete);
      } else {
        remaining.push(ticket);
        everythingBeforeCompleted = false;
      }
    }
    this.tickets = remaining;
    for (const complete of ready) complete();
  }
}
