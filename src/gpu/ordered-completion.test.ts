import { describe, expect, it } from "vitest";
import { OrderedCompletion } from "./ordered-completion.ts";

describe("OrderedCompletion", () => {
  it("lets unfenced requests complete at once and holds a fenced one until all earlier ones are done", () => {
    const order = new OrderedCompletion();
    const done: string[] = [];
    const a = order.begin(false);
    const b = order.begin(false);
    const fence = order.begin(true);
    const c = order.begin(false);
    order.finish(fence, () => done.push("fence"));
    order.finish(c, () => done.push("c"));
    expect(done).toEqual(["c"]);
    order.finish(b, () => done.push("b"));
    expect(done).toEqual(["c", "b"]);
    order.finish(a, () => done.push("a"));
    expect(done).toEqual(["c", "b", "a", "fence"]);
    expect(order.pending).toBe(0);
  });

  it("orders consecutive fences and forgets everything on clear", () => {
    const order = new OrderedCompletion();
    const done: number[] = [];
    const slow = order.begin(false);
    const f1 = order.begin(true);
    const f2 = order.begin(true);
    order.finish(f2, () => done.push(2));
    order.finish(f1, () => done.push(1));
    expect(done).toEqual([]);
    order.finish(slow, () => done.push(0));
    expect(done).toEqual([0, 1, 2]);
    const lost = order.begin(false);
    order.clear();
    expect(order.pending).toBe(0);
    order.finish(lost, () => done.push(9));
    expect(done).toEqual([0, 1, 2]); // a ticket from before clear() never completes
  });
});
