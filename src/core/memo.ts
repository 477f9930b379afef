/**
 * A value made once per (object, key) and kept while the object lives (a WeakMap): caches keyed
 * on data arrays or a group's page data go when the data goes.
 */
export type MemoCache<T> = WeakMap<object, Map<string, T>>;

export function memo<T>(cache: MemoCache<T>, owner: object, key: string, make: () => T): T {
  let byKey = cache.get(owner);
  if (!byKey) cache.set(owner, (byKey = new Map()));
  if (!byKey.has(key)) byKey.set(key, make());
  return byKey.get(key) as T;
}
