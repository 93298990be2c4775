import { Subject, type Observable } from 'rxjs';

/**
 * Items keyed by name (or URI) that can be added and removed while the server runs; every change
 * is announced on `changed$` so the server can send the matching `list_changed`.
 */
export class Registry<T> {
  private readonly items = new Map<string, T>();
  private readonly changedSubject = new Subject<void>();
  /** Emits after every add and remove (hot). */
  readonly changed$: Observable<void> = this.changedSubject.asObservable();

  constructor(private readonly kind: string) {}

  /** Adds `item` under `key`; throws if the key is taken (remove it first to replace it). */
  add(key: string, item: T): void {
    if (this.items.has(key)) throw new Error(`A ${this.kind} named ${JSON.stringify(key)} is already registered; remove it first`);
    this.items.set(key, item);
    this.changedSubject.next();
  }

  /** Removes `key`; returns whether it was there. */
  remove(key: string): boolean {
    const removed = this.items.delete(key);
    if (removed) this.changedSubject.next();
    return removed;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  values(): IterableIterator<T> {
    return this.items.values();
  }

  get size(): number {
    return this.items.size;
  }

  complete(): void {
    this.changedSubject.complete();
  }
}
