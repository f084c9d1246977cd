/** A tiny typed event emitter: listener failures are logged, never break the emitter. */
export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(value: never) => void>>();

  on<K extends keyof Events>(type: K, listener: (value: Events[K]) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as (value: never) => void);
    return () => set.delete(listener as (value: never) => void);
  }

  emit<K extends keyof Events>(type: K, value: Events[K]): void {
    for (const listener of this.listeners.get(type) ?? []) {
      try {
        (listener as (value: Events[K]) => void)(value);
      } catch (error) {
        console.error(`webvirgl: a "${String(type)}" listener threw`, error);
      }
    }
  }
}
